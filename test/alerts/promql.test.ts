import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "@emshop/db/paths";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ALERT_TESTS_PATH, checkRules, loadRules, parseExposition, type Rule } from "./alert-rules";
import { matches, metricNames, promqlRefs } from "./promql";

describe("promqlRefs: the series a PromQL expression selects", () => {
  it("finds metric names, not functions, aggregations, keywords, numbers or durations", () => {
    const expr = `
      sum by (job, service) (rate(graphql_requests_total{job=~"emshop-.*",outcome="error"}[5m]))
      / ignoring (outcome) group_left
      sum without (instance) (increase(stock_changes_total[1h30m] offset 1d))
      > bool 0.05 * 1e3
      and on (job, instance) up == 0
      or histogram_quantile(0.99, sum by (le) (rate(graphql_request_duration_seconds_bucket[5m:1m] @ 1700000000)))
      unless absent(inventory_goods_low_stock) # a comment: not_a_metric{x="y"}
      or topk(3, max(db_pool_connections{state!="idle"})) > Inf`;
    expect(metricNames(expr)).toEqual([
      "graphql_requests_total",
      "stock_changes_total",
      "up",
      "graphql_request_duration_seconds_bucket",
      "inventory_goods_low_stock",
      "db_pool_connections",
    ]);
    expect(promqlRefs(expr).groupingLabels).toEqual(["job", "service", "outcome", "instance", "job", "instance", "le"]);
  });

  it("reads label matchers, with strings that hold braces, commas, quotes and escapes", () => {
    const { selectors } = promqlRefs(
      `a_total{x="}", y!='a,b', z=~"p\\"q|r"} + {__name__="b_seconds", job!~\`raw\\d\`} + label_replace(c, "d", "$1", "e", "(.*)")`,
    );
    expect(selectors).toEqual([
      {
        metric: "a_total",
        matchers: [
          { label: "x", op: "=", value: "}" },
          { label: "y", op: "!=", value: "a,b" },
          { label: "z", op: "=~", value: 'p"q|r' },
        ],
      },
      { metric: "b_seconds", matchers: [{ label: "job", op: "!~", value: "raw\\d" }] },
      { metric: "c", matchers: [] },
    ]);
  });

  it("refuses what it cannot read instead of guessing", () => {
    expect(() => promqlRefs('a{x="y}')).toThrow(/unterminated string/);
    expect(() => promqlRefs('{job="x"}')).toThrow(/without a metric name/);
    expect(() => promqlRefs("sum by job (a)")).toThrow(/expected "\("/);
    expect(() => promqlRefs("a{x}")).toThrow(/expected =/);
  });

  it("matches label values as PromQL does (anchored regexes)", () => {
    expect(matches({ op: "=~", value: "emshop-.*" }, "emshop-goods")).toBe(true);
    expect(matches({ op: "=~", value: "goods" }, "emshop-goods")).toBe(false);
    expect(matches({ op: "!~", value: "emshop-(goods|inventory)" }, "emshop-gateway")).toBe(true);
    expect(matches({ op: "!=", value: "OK" }, "ok")).toBe(true);
  });
});

describe("ops/prometheus/alerts.yml", () => {
  const rules = loadRules();
  const alerts = rules.filter((rule) => rule.kind === "alert");

  it("selects exactly these metrics per alert (the extractor reads the real rules)", () => {
    expect(Object.fromEntries(alerts.map((rule) => [rule.name, metricNames(rule.expr)]))).toEqual({
      EmshopInstanceDown: ["up"],
      EmshopInventoryUnavailable: ["subgraph_circuit_state", "subgraph_fetches_total"],
      EmshopGoodsUnavailable: ["subgraph_circuit_state", "subgraph_fetches_total"],
      EmshopGraphQLErrorRateHigh: ["graphql_requests_total"],
      EmshopGatewayLatencyHigh: ["graphql_request_duration_seconds_bucket"],
      EmshopSellFailuresHigh: ["stock_changes_total"],
      EmshopGoodsLowStock: ["inventory_goods_low_stock"],
      EmshopGoodsOutOfStock: ["inventory_goods_out_of_stock"],
      EmshopStockLevelsUnreadable: ["up", "inventory_goods_low_stock"],
      EmshopDatabasePoolSaturated: ["db_pool_connections"],
      EmshopStockEventsRelayLagging: ["stock_events_relay_lag_seconds", "stock_events_relay_lag_bound_seconds"],
    });
  });

  it("gives every alert a unique CamelCase name, a for, a severity of page or ticket, summary, description and runbook", () => {
    expect(new Set(alerts.map((rule) => rule.name)).size).toBe(alerts.length);
    for (const rule of alerts) {
      expect(rule.name, rule.name).toMatch(/^Emshop(?:[A-Z][a-z0-9]*|QL)+$/);
      expect(rule.for, rule.name).toMatch(/^\d+[smh]$/);
      expect(rule.labels.severity, rule.name).toMatch(/^(page|ticket)$/);
      for (const key of ["summary", "description", "runbook"])
        expect(rule.annotations[key]?.trim().length, `${rule.name} ${key}`).toBeGreaterThan(10);
    }
  });

  it("points runbooks only at README headings that exist", () => {
    const slugs = new Set(
      readFileSync(join(repoRoot, "README.md"), "utf8")
        .split("\n")
        .filter((line) => /^#{1,6} /.test(line))
        .map((line) =>
          line
            .replace(/^#+ /, "")
            .trim()
            .toLowerCase()
            .replace(/[^\p{L}\p{N} _-]/gu, "")
            .replace(/ /g, "-"),
        ),
    );
    const anchors = alerts.flatMap((rule) =>
      [...(rule.annotations.runbook ?? "").matchAll(/README\.md#([\w-]+)/g)].map((m) => m[1] as string),
    );
    expect(anchors.length).toBeGreaterThan(0);
    expect(anchors.filter((anchor) => !slugs.has(anchor))).toEqual([]);
  });

  it("has a promtool case for every alert where it fires and one where it does not", () => {
    const tests = (
      parse(readFileSync(ALERT_TESTS_PATH, "utf8")) as {
        tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
      }
    ).tests.flatMap((test) => test.alert_rule_test ?? []);
    const coverage = (alertname: string) => {
      const cases = tests.filter((test) => test.alertname === alertname);
      return {
        fires: cases.some((test) => (test.exp_alerts ?? []).length > 0),
        quiet: cases.some((test) => (test.exp_alerts ?? []).length === 0),
      };
    };
    for (const rule of alerts) expect(coverage(rule.name), rule.name).toEqual({ fires: true, quiet: true });
    expect(tests.filter((test) => !alerts.some((rule) => rule.name === test.alertname))).toEqual([]);
  });
});

describe("checkRules: each selector against the scrapes of its services", () => {
  const exposition = parseExposition(
    [
      "# TYPE stock_changes_total counter",
      'stock_changes_total{kind="SELL",outcome="OK"} 3',
      'stock_changes_total{kind="SELL",outcome="INSUFFICIENT_STOCK"} 1',
      "# TYPE graphql_request_duration_seconds histogram",
      'graphql_request_duration_seconds_bucket{le="1",service="inventory"} 1',
      'graphql_request_duration_seconds_bucket{le="+Inf",service="inventory"} 1',
      'graphql_request_duration_seconds_count{service="inventory"} 1',
    ].join("\n"),
  );
  const alert = (name: string, expr: string): Rule => ({
    group: "g",
    name,
    kind: "alert",
    expr,
    labels: {},
    annotations: {},
  });
  const check = (...rules: Rule[]) =>
    checkRules({ rules, expositions: { inventory: exposition }, jobServices: { "emshop-inventory": "inventory" } });

  it("accepts real metrics, labels and values, histograms by their _bucket series, up and recording rules", () => {
    const result = check(
      alert(
        "A",
        'sum by (job, kind) (rate(stock_changes_total{job="emshop-inventory",kind="SELL",outcome!="OK"}[5m]))',
      ),
      alert(
        "B",
        'histogram_quantile(0.99, sum by (le) (rate(graphql_request_duration_seconds_bucket{service="inventory"}[5m])))',
      ),
      alert("C", 'up{job=~"emshop-.*"} == 0 or job:sells:rate5m > 1'),
      {
        group: "g",
        name: "job:sells:rate5m",
        kind: "record",
        expr: "sum by (job) (rate(stock_changes_total[5m]))",
        labels: {},
        annotations: {},
      },
    );
    expect(result).toEqual({ problems: [], excused: [] });
  });

  it("reports a metric that is not exported, a label it lacks, a value that never occurs, a bare histogram", () => {
    const { problems } = check(
      alert("Missing", "rate(stock_change_total[5m]) > 0"),
      alert("NoLabel", 'stock_changes_total{kind="SELL",subgraph="inventory"}'),
      alert("WrongCase", 'stock_changes_total{kind="SELL",outcome!="ok"}'),
      alert("NoValue", 'stock_changes_total{kind=~"SOLD|SELLS"}'),
      alert("Histogram", "graphql_request_duration_seconds > 1"),
      alert("NoJob", 'stock_changes_total{job="inventory"}'),
      alert("Grouping", "sum by (subgraph) (stock_changes_total)"),
      alert("UpLabel", 'up{service="inventory"} == 0'),
    );
    expect(problems.map((problem) => `${problem.rule} ${problem.kind}`)).toEqual([
      "Missing metric",
      "NoLabel label",
      "WrongCase value",
      "NoValue value",
      "Histogram metric",
      "NoJob job",
      "Grouping label",
      "UpLabel label",
    ]);
  });

  it("excuses a missing metric only when told why", () => {
    const rules = [alert("Pool", 'max by (service) (db_pool_connections{state="waiting"}) > 0')];
    const expositions = { inventory: exposition };
    const jobServices = { "emshop-inventory": "inventory" };
    expect(checkRules({ rules, expositions, jobServices }).problems).toHaveLength(1);
    expect(
      checkRules({ rules, expositions, jobServices, mayBeMissing: { db_pool_connections: "PGlite has no pool" } }),
    ).toEqual({ problems: [], excused: ["Pool: db_pool_connections"] });
  });
});

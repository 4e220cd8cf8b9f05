import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "@emshop/db/paths";
import { parse } from "yaml";
import { type Matcher, matches, promqlRefs, type Selector } from "./promql";

export const ALERTS_PATH = join(repoRoot, "ops/prometheus/alerts.yml");
export const ALERT_TESTS_PATH = join(repoRoot, "ops/prometheus/alerts.test.yml");
export const PROMETHEUS_CONFIG_PATH = join(repoRoot, "ops/prometheus/prometheus.yml");

export interface Rule {
  group: string;
  /** The alert's name, or the recorded series' name for a recording rule. */
  name: string;
  kind: "alert" | "record";
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

interface RuleFile {
  groups: {
    name: string;
    rules: ({ alert?: string; record?: string; expr: string; for?: string } & Partial<Rule>)[];
  }[];
}

export function loadRules(path = ALERTS_PATH): Rule[] {
  const file = parse(readFileSync(path, "utf8")) as RuleFile;
  return file.groups.flatMap((group) =>
    group.rules.map((rule) => ({
      group: group.name,
      name: (rule.alert ?? rule.record) as string,
      kind: rule.alert ? ("alert" as const) : ("record" as const),
      expr: String(rule.expr),
      ...(rule.for ? { for: rule.for } : {}),
      labels: rule.labels ?? {},
      annotations: rule.annotations ?? {},
    })),
  );
}

export interface ScrapeJob {
  job: string;
  metricsPath: string;
  targets: string[];
}

export function loadScrapeJobs(path = PROMETHEUS_CONFIG_PATH): { ruleFiles: string[]; jobs: ScrapeJob[] } {
  const config = parse(readFileSync(path, "utf8")) as {
    rule_files?: string[];
    scrape_configs: { job_name: string; metrics_path?: string; static_configs?: { targets: string[] }[] }[];
  };
  return {
    ruleFiles: config.rule_files ?? [],
    jobs: config.scrape_configs.map((scrape) => ({
      job: scrape.job_name,
      metricsPath: scrape.metrics_path ?? "/metrics",
      targets: (scrape.static_configs ?? []).flatMap((group) => group.targets),
    })),
  };
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** `# TYPE` of each metric family: counter, gauge, histogram, summary, untyped. */
  types: Map<string, string>;
}

/** A Prometheus text exposition: its samples and its families' types. */
export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line === "") continue;
    if (line.startsWith("#")) {
      const type = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (type) types.set(type[1] as string, type[2] as string);
      continue;
    }
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[key as string] = (value as string).replace(/\\(.)/g, (_all, c: string) => (c === "n" ? "\n" : c));
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return { samples, types };
}

/** Series Prometheus writes itself for every target: in no service's /metrics. */
export const SCRAPE_SERIES = new Set([
  "up",
  "scrape_duration_seconds",
  "scrape_samples_scraped",
  "scrape_samples_post_metric_relabeling",
  "scrape_series_added",
]);

/** Labels the scrape adds to every series (prometheus.yml), not the services. */
export const TARGET_LABELS = new Set(["job", "instance"]);

export interface Problem {
  kind: "metric" | "label" | "value" | "job";
  rule: string;
  message: string;
}

export interface CheckResult {
  problems: Problem[];
  /** Rules whose metric was missing but excused (e.g. no pool gauge on PGlite), as "rule: metric". */
  excused: string[];
}

export interface CheckInput {
  rules: Rule[];
  /** Each service's scrape, by service name. */
  expositions: Record<string, Exposition>;
  /** The service behind each scrape job. */
  jobServices: Record<string, string>;
  /** Metrics allowed to be missing, with the reason. */
  mayBeMissing?: Record<string, string>;
}

const HISTOGRAM_SUFFIXES = ["_bucket", "_count", "_sum"];

/** The family a sample name belongs to: `x_bucket` of histogram `x`, else itself. */
function familyOf(name: string, types: Map<string, string>): { family: string; type: string | undefined } {
  for (const suffix of HISTOGRAM_SUFFIXES) {
    if (!name.endsWith(suffix)) continue;
    const family = name.slice(0, -suffix.length);
    const type = types.get(family);
    if (type === "histogram" || (type === "summary" && suffix !== "_bucket")) return { family, type };
  }
  return { family: name, type: types.get(name) };
}

/**
 * Checks every selector of every rule against the scrapes of the services its
 * `job` matchers select (all services when it has none): the metric has
 * samples there, every label it matches on or groups by is one of the
 * metric's labels (or a target label), and every value it matches is one that
 * occurs (for `!=` and `!~` too, so that a negation is not vacuous, e.g.
 * `outcome!="ok"` on a metric whose values are "OK").
 */
export function checkRules({ rules, expositions, jobServices, mayBeMissing = {} }: CheckInput): CheckResult {
  const problems: Problem[] = [];
  const excused: string[] = [];
  const recorded = new Set(rules.filter((rule) => rule.kind === "record").map((rule) => rule.name));
  const jobs = Object.keys(jobServices);

  for (const rule of rules) {
    const problem = (kind: Problem["kind"], message: string) => problems.push({ kind, rule: rule.name, message });
    const refs = promqlRefs(rule.expr);
    /** Label names of the expression's selected series, for its by/on/ignoring clauses. */
    const known = new Set(TARGET_LABELS);
    let unknowable = false; // a selected metric is missing: its labels cannot be known

    for (const selector of refs.selectors) {
      const jobMatchers = selector.matchers.filter((matcher) => matcher.label === "job");
      const selectedJobs = jobs.filter((job) => jobMatchers.every((matcher) => matches(matcher, job)));
      if (selectedJobs.length === 0) {
        problem("job", `${describe(selector)}: its job matcher selects none of the scrape jobs ${jobs.join(", ")}`);
        continue;
      }
      if (recorded.has(selector.metric)) continue; // checked as that recording rule's own expression
      if (SCRAPE_SERIES.has(selector.metric)) {
        for (const matcher of selector.matchers)
          if (!TARGET_LABELS.has(matcher.label))
            problem("label", `${describe(selector)}: ${selector.metric} has only the labels job and instance`);
        continue;
      }
      const services = [...new Set(selectedJobs.map((job) => jobServices[job] as string))];
      const found = services.map((service) => ({
        service,
        exposition: expositions[service] as Exposition,
        samples: (expositions[service]?.samples ?? []).filter((sample) => sample.name === selector.metric),
      }));
      const { type: familyType } = familyOf(selector.metric, found[0]?.exposition.types ?? new Map());
      if (familyType === "histogram" && !HISTOGRAM_SUFFIXES.some((suffix) => selector.metric.endsWith(suffix))) {
        problem("metric", `${selector.metric} is a histogram: select ${selector.metric}_bucket, _count or _sum`);
        continue;
      }
      // Without a job matcher the metric only has to exist somewhere; with one, at every service it names.
      const missing = found.filter((entry) => entry.samples.length === 0).map((entry) => entry.service);
      const absent = jobMatchers.length ? missing : missing.length === found.length ? missing : [];
      if (absent.length) {
        unknowable = true;
        if (mayBeMissing[selector.metric]) excused.push(`${rule.name}: ${selector.metric}`);
        else problem("metric", `${selector.metric} has no samples in the /metrics of ${absent.join(", ")}`);
        continue;
      }
      const present = found.filter((entry) => entry.samples.length > 0);
      for (const entry of present)
        for (const sample of entry.samples) for (const label in sample.labels) known.add(label);

      for (const matcher of selector.matchers) {
        if (TARGET_LABELS.has(matcher.label)) continue;
        const lacking = present
          .filter((entry) => !entry.samples.some((sample) => matcher.label in sample.labels))
          .map((entry) => entry.service);
        if (lacking.length) {
          problem(
            "label",
            `${describe(selector)}: ${selector.metric} has no label "${matcher.label}" at ${lacking.join(", ")}`,
          );
          continue;
        }
        const values = new Set(
          present.flatMap((entry) => entry.samples.map((sample) => sample.labels[matcher.label] as string)),
        );
        if (!occurs(matcher, values))
          problem(
            "value",
            `${describe(selector)}: ${matcher.label}${matcher.op}"${matcher.value}" ${matcher.op.startsWith("!") ? "excludes" : "selects"} none of the values seen: ${[...values].sort().join(", ")}`,
          );
      }
    }
    for (const label of unknowable ? [] : refs.groupingLabels)
      if (!known.has(label)) problem("label", `groups or matches on "${label}", a label none of its series has`);
  }
  return { problems, excused };
}

/** `=` and `=~` must select a value that occurs; `!=` and `!~` must exclude one. */
function occurs(matcher: Matcher, values: Set<string>): boolean {
  const positive: Matcher = { ...matcher, op: matcher.op === "!=" ? "=" : matcher.op === "!~" ? "=~" : matcher.op };
  return [...values].some((value) => matches(positive, value));
}

const describe = (selector: Selector) =>
  `${selector.metric}{${selector.matchers.map((m) => `${m.label}${m.op}"${m.value}"`).join(",")}}`;

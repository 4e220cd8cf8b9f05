import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "@emshop/db/paths";
import { loadGatewayConfig } from "@emshop/gateway/config";
import { loadGoodsConfig } from "@emshop/goods/config";
import { loadInventoryConfig } from "@emshop/inventory/config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteStream, NATS_URL, natsMissingReason, natsReachable, uniqueStream } from "../events/support/nats";
import { errorCodes, gql } from "../support/graphql-client";
import { type Stack, startStack } from "../support/stack";
import { onPostgres } from "../support/test-database";
import { as } from "../support/tokens";
import {
  type CheckResult,
  checkRules,
  type Exposition,
  loadRules,
  loadScrapeJobs,
  parseExposition,
  type Rule,
} from "./alert-rules";
import { metricNames } from "./promql";

/**
 * The alert rules (ops/prometheus/alerts.yml) against the real services: every
 * metric an alert selects has samples in the /metrics of the service(s) its
 * `job` matcher names (jobs mapped to services through prometheus.yml's target
 * ports), with the labels and label values the alert matches on.
 */

const STOREFRONT_GOODS_LIST = readFileSync(join(repoRoot, "test/operations/storefront-goods-list.graphql"), "utf8");
const SELL =
  "mutation($orderSn: String!, $items: [StockItemInput!]!) { sellStock(orderSn: $orderSn, items: $items) { status } }";

/** Embedded PGlite has no connection pool, hence no db_pool_connections (README, "Metrics"). */
const PGLITE_MISSING = { db_pool_connections: "embedded PGlite has no connection pool" };
/** The alerts that need the pool gauge: the documented exception on PGlite. */
const POOL_ALERTS = ["EmshopDatabasePoolSaturated: db_pool_connections"];

const services = ["gateway", "goods", "inventory"] as const;
type Service = (typeof services)[number];

/** Each service's default port, from its settings: where prometheus.yml's targets must point. */
const defaultPorts: Record<Service, number> = {
  gateway: loadGatewayConfig({}).GATEWAY_PORT,
  goods: loadGoodsConfig({}).GOODS_PORT,
  inventory: loadInventoryConfig({}).INVENTORY_PORT,
};

/** The service behind each job of prometheus.yml, by its targets' port. */
function jobServices(): Record<string, Service> {
  const map: Record<string, Service> = {};
  for (const { job, targets } of loadScrapeJobs().jobs) {
    const ports = new Set(targets.map((target) => Number(target.split(":").at(-1))));
    const service = services.find((name) => ports.has(defaultPorts[name]));
    if (service && ports.size === 1) map[job] = service;
  }
  return map;
}

async function scrape(graphqlUrl: string): Promise<Exposition> {
  const response = await fetch(new URL("/metrics", graphqlUrl));
  expect(response.status).toBe(200);
  return parseExposition(await response.text());
}

describe("alert rules against the services' /metrics", () => {
  let stack: Stack;
  let expositions: Record<Service, Exposition>;
  let rules: Rule[];
  let result: CheckResult;
  let relayStream: { stream: string; subject: string } | undefined;

  beforeAll(async () => {
    rules = loadRules();
    // The relay's metrics exist where a relay runs: inventory relays to the machine's NATS here.
    if (!(await natsReachable())) throw new Error(`the stock events alert's metrics: ${natsMissingReason}`);
    relayStream = uniqueStream("alerts");
    stack = await startStack({ stockEvents: { natsUrl: NATS_URL, ...relayStream } });

    // A catalog page: requests at all three services, subgraph fetches from both.
    const list = await gql(stack.url, STOREFRONT_GOODS_LIST);
    expect(list.errors).toBeUndefined();
    const goodsId = String(list.data?.goodsList.items[0]?.id);

    const adjusted = await gql(
      stack.url,
      'mutation($goodsId: ID!) { adjustStock(goodsId: $goodsId, delta: 5, reason: "alert metrics test") { stocks } }',
      { goodsId },
    );
    expect(adjusted.errors).toBeUndefined();
    const stocks = adjusted.data?.adjustStock.stocks as number;

    // A sell that succeeds and one that fails: stock_changes_total{kind="SELL"} with outcome OK and an error code.
    const orderService = await as("order-service");
    const sold = await gql(stack.url, SELL, { orderSn: "ALERTS-1", items: [{ goodsId, num: 1 }] }, orderService);
    expect(sold.errors).toBeUndefined();
    const refused = await gql(
      stack.url,
      SELL,
      { orderSn: "ALERTS-2", items: [{ goodsId, num: stocks + 1000 }] },
      orderService,
    );
    expect(errorCodes(refused)).toEqual(["INSUFFICIENT_STOCK"]);

    expositions = {
      gateway: await scrape(stack.url),
      goods: await scrape(stack.goods.url),
      inventory: await scrape(stack.inventory.url),
    };
    result = checkRules({
      rules,
      expositions,
      jobServices: jobServices(),
      ...(onPostgres ? {} : { mayBeMissing: PGLITE_MISSING }),
    });
  });
  afterAll(async () => {
    await stack?.stop();
    if (relayStream) await deleteStream(NATS_URL, relayStream.stream);
  });

  it("prometheus.yml scrapes each service on its default port as the job the alerts name", () => {
    const config = loadScrapeJobs();
    expect(config.ruleFiles).toEqual(["alerts.yml"]);
    expect(config.jobs.map((job) => job.metricsPath)).toEqual(["/metrics", "/metrics", "/metrics"]);
    expect(jobServices()).toEqual({
      "emshop-gateway": "gateway",
      "emshop-goods": "goods",
      "emshop-inventory": "inventory",
    });
  });

  it("the alerts select only metrics the services export (or up), each at the service its job names", () => {
    expect(result.problems.filter((problem) => problem.kind === "metric" || problem.kind === "job")).toEqual([]);
    // What the check relies on: metrics the alerts use do show up in the scrapes.
    const used = new Set(rules.flatMap((rule) => metricNames(rule.expr)));
    expect(used).toContain("stock_changes_total");
    expect(expositions.inventory.samples.some((sample) => sample.name === "stock_changes_total")).toBe(true);
    expect(expositions.gateway.samples.some((sample) => sample.name === "stock_changes_total")).toBe(false);
  });

  it("every label the alerts match or group on is one of the metric's labels", () => {
    expect(result.problems.filter((problem) => problem.kind === "label")).toEqual([]);
  });

  it("every label value the alerts match on occurs after a catalog read, a sell and a failed sell", () => {
    expect(result.problems.filter((problem) => problem.kind === "value")).toEqual([]);
  });

  it(`the pool gauge ${onPostgres ? "is there on PostgreSQL" : "is the one documented exception on PGlite"}`, () => {
    if (onPostgres) {
      expect(result.excused).toEqual([]);
      for (const service of ["goods", "inventory"] as const)
        expect(
          expositions[service].samples.filter(
            (sample) => sample.name === "db_pool_connections" && sample.labels.state === "waiting",
          ),
        ).toHaveLength(1);
    } else {
      expect(result.excused).toEqual(POOL_ALERTS);
      expect(expositions.inventory.samples.some((sample) => sample.name === "db_pool_connections")).toBe(false);
    }
  });
});

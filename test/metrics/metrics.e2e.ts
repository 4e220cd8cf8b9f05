import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "@emshop/db/paths";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCodes, gql } from "../support/graphql-client";
import { type Stack, startStack } from "../support/stack";
import { onPostgres } from "../support/test-database";
import { as } from "../support/tokens";

const STOREFRONT_GOODS_LIST = readFileSync(join(repoRoot, "test/operations/storefront-goods-list.graphql"), "utf8");
const ORDER_SN = "METRICS-ORDER-1";

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (comments skipped). */
function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[key as string] = (value as string).replace(/\\(.)/g, (_all, c: string) => (c === "n" ? "\n" : c));
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

async function scrape(graphqlUrl: string) {
  const response = await fetch(new URL("/metrics", graphqlUrl));
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
  const text = await response.text();
  return { text, samples: parseMetrics(text) };
}

const find = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter(
    (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );

const total = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  find(samples, name, labels).reduce((sum, sample) => sum + sample.value, 0);

/** POSTs with an operationName, as clients that name their operations do. */
async function named(url: string, query: string, operationName: string) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, operationName }),
  });
  return { status: response.status, ...((await response.json()) as { data?: unknown; errors?: unknown[] }) };
}

describe("Prometheus metrics at /metrics", () => {
  let stack: Stack;
  let goodsId: string;

  beforeAll(async () => {
    stack = await startStack();
    const list = await named(stack.url, STOREFRONT_GOODS_LIST, "StorefrontGoodsList");
    expect(list.errors).toBeUndefined();
    goodsId = String((list.data as { goodsList: { items: { id: string }[] } }).goodsList.items[0]?.id);

    // Refused: a validation failure, no data.
    expect(errorCodes(await gql(stack.url, "query StorefrontGoodsList { goodsList { nope } }"))).toEqual([
      "GRAPHQL_VALIDATION_FAILED",
    ]);

    const adjusted = await gql(
      stack.url,
      'mutation($goodsId: ID!) { adjustStock(goodsId: $goodsId, delta: 5, reason: "metrics test") { stocks } }',
      { goodsId },
    );
    expect(adjusted.errors).toBeUndefined();
    const stocks = adjusted.data?.adjustStock.stocks as number;

    const sold = await gql(
      stack.url,
      "mutation($orderSn: String!, $items: [StockItemInput!]!) { sellStock(orderSn: $orderSn, items: $items) { status } }",
      { orderSn: ORDER_SN, items: [{ goodsId, num: stocks + 1000 }] },
      await as("order-service"),
    );
    expect(errorCodes(sold)).toEqual(["INSUFFICIENT_STOCK"]);

    // 50 operation names nobody knows.
    for (let i = 0; i < 50; i++)
      await named(stack.url, `query Probe${i}x${goodsId} { __typename }`, `Probe${i}x${goodsId}`);
  });
  afterAll(() => stack?.stop());

  it("gateway: requests by known operation and outcome, subgraph fetches, circuits", async () => {
    const { samples } = await scrape(stack.url);
    expect(
      total(samples, "graphql_requests_total", { service: "gateway", operation: "StorefrontGoodsList", outcome: "ok" }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      total(samples, "graphql_requests_total", {
        service: "gateway",
        operation: "StorefrontGoodsList",
        outcome: "refused",
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      total(samples, "graphql_errors_total", { service: "gateway", code: "GRAPHQL_VALIDATION_FAILED" }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      find(samples, "graphql_request_duration_seconds_count", { service: "gateway", operation: "StorefrontGoodsList" })
        .length,
    ).toBeGreaterThanOrEqual(1);
    expect(total(samples, "subgraph_fetches_total", { subgraph: "inventory", outcome: "ok" })).toBeGreaterThanOrEqual(
      1,
    );
    expect(total(samples, "subgraph_fetches_total", { subgraph: "goods", outcome: "ok" })).toBeGreaterThanOrEqual(1);
    expect(find(samples, "subgraph_fetch_duration_seconds_bucket", { subgraph: "inventory" }).length).toBeGreaterThan(
      0,
    );
    expect(find(samples, "subgraph_circuit_state", { subgraph: "inventory" }).map((s) => s.value)).toEqual([0]);
    expect(find(samples, "subgraph_circuit_state", { subgraph: "goods" }).map((s) => s.value)).toEqual([0]);
    // Each combined _entities call is observed once, with the fetches it carried: never more calls than fetches.
    const batchCalls = total(samples, "subgraph_entity_batch_fetches_count", { subgraph: "inventory" });
    expect(batchCalls).toBeGreaterThanOrEqual(1);
    expect(total(samples, "subgraph_entity_batch_fetches_sum", { subgraph: "inventory" })).toBeGreaterThanOrEqual(
      batchCalls,
    );
    // Every goods call is observed once with the queries it carried (1 when it went alone).
    const goodsCalls = total(samples, "subgraph_operation_batch_operations_count", { subgraph: "goods" });
    expect(goodsCalls).toBeGreaterThanOrEqual(1);
    expect(total(samples, "subgraph_operation_batch_operations_sum", { subgraph: "goods" })).toBeGreaterThanOrEqual(
      goodsCalls,
    );
    // The gateway's registry has no subgraph's metrics.
    expect(find(samples, "stock_changes_total")).toEqual([]);
    expect(new Set(find(samples, "graphql_requests_total").map((s) => s.labels.service))).toEqual(new Set(["gateway"]));
  });

  it("unknown operation names all share the label 'other'", async () => {
    const { samples } = await scrape(stack.url);
    const operations = new Set(find(samples, "graphql_requests_total").map((sample) => sample.labels.operation));
    expect([...operations].filter((name) => name?.startsWith("Probe"))).toEqual([]);
    expect(total(samples, "graphql_requests_total", { service: "gateway", operation: "other" })).toBeGreaterThanOrEqual(
      50,
    );
    // Bounded: the allowlist, "other" and "anonymous", whatever callers send.
    expect(operations.size).toBeLessThanOrEqual(19);
  });

  it("inventory: stock changes by kind and outcome, stock levels, pool", async () => {
    const { samples } = await scrape(stack.inventory.url);
    expect(total(samples, "stock_changes_total", { kind: "ADJUST", outcome: "OK" })).toBe(1);
    expect(total(samples, "stock_changes_total", { kind: "SELL", outcome: "INSUFFICIENT_STOCK" })).toBe(1);
    expect(total(samples, "stock_units_sold_total")).toBe(0);
    for (const name of ["inventory_goods_low_stock", "inventory_goods_out_of_stock"]) {
      const [gauge, ...more] = find(samples, name);
      expect(more).toEqual([]);
      expect(Number.isFinite(gauge?.value)).toBe(true);
      expect(gauge?.value).toBeGreaterThanOrEqual(0);
    }
    // Embedded PGlite has no connection pool, hence no pool gauge (README, "Metrics").
    if (onPostgres) {
      expect(find(samples, "db_pool_connections", { service: "inventory", state: "total" })[0]?.value).toBeGreaterThan(
        0,
      );
      expect(find(samples, "db_pool_connections", { service: "inventory", state: "waiting" })).toHaveLength(1);
    } else expect(find(samples, "db_pool_connections", {})).toHaveLength(0);
    expect(total(samples, "graphql_requests_total", { service: "inventory" })).toBeGreaterThanOrEqual(1);
    expect(new Set(find(samples, "graphql_requests_total").map((s) => s.labels.service))).toEqual(
      new Set(["inventory"]),
    );
  });

  it("goods: its own requests and pool only", async () => {
    const { samples } = await scrape(stack.goods.url);
    expect(total(samples, "graphql_requests_total", { service: "goods" })).toBeGreaterThanOrEqual(1);
    expect(find(samples, "db_pool_connections", { service: "goods", state: "idle" })).toHaveLength(onPostgres ? 1 : 0);
    expect(find(samples, "subgraph_fetches_total")).toEqual([]);
    expect(find(samples, "stock_changes_total")).toEqual([]);
  });

  it("subgraphs count the SQL statements they send (PostgreSQL): a catalog page costs a few", async () => {
    const statements = async (url: string, service: string) =>
      total((await scrape(url)).samples, "db_statements_total", { service });
    const before = {
      goods: await statements(stack.goods.url, "goods"),
      inventory: await statements(stack.inventory.url, "inventory"),
    };
    const page = await gql(stack.url, "{ goodsList(pageSize: 5) { items { id stocks } } }");
    expect(page.errors).toBeUndefined();
    const after = {
      goods: await statements(stack.goods.url, "goods"),
      inventory: await statements(stack.inventory.url, "inventory"),
    };
    if (!onPostgres) {
      // Embedded PGlite has no pool to count at: the counter has no samples.
      expect(after).toEqual({ goods: 0, inventory: 0 });
      return;
    }
    expect(after.goods - before.goods).toBeGreaterThanOrEqual(1);
    expect(after.goods - before.goods).toBeLessThanOrEqual(10);
    expect(after.inventory - before.inventory).toBeGreaterThanOrEqual(1);
    expect(after.inventory - before.inventory).toBeLessThanOrEqual(5);
  });

  it("every service has the process metrics, and no label carries a goods id or orderSn", async () => {
    for (const url of [stack.url, stack.goods.url, stack.inventory.url]) {
      const { text, samples } = await scrape(url);
      expect(find(samples, "process_cpu_user_seconds_total")).toHaveLength(1);
      expect(text).not.toContain(ORDER_SN);
      const values = samples.flatMap((sample) => Object.values(sample.labels));
      expect(values).not.toContain(goodsId);
      expect(values.filter((value) => value.includes(ORDER_SN) || value.includes(`x${goodsId}`))).toEqual([]);
    }
  });
});

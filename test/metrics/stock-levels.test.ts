import { createMetricsRegistry } from "@emshop/common/metrics/registry";
import type { InventoryDb } from "@emshop/db/inventory";
import { stockLevelMetrics } from "@emshop/inventory/stock/metrics";
import { describe, expect, it } from "vitest";

const fakeDb = (query: () => Promise<unknown[]>) => ({ sql: { query } }) as unknown as InventoryDb;

describe("inventory stock-level gauges", () => {
  it("run one query per 10 s, however often they are scraped", async () => {
    let queries = 0;
    const registry = createMetricsRegistry();
    stockLevelMetrics(
      registry,
      fakeDb(async () => {
        queries++;
        return [{ out: 3, low: 7 }];
      }),
      { defaultThreshold: 10 },
    );
    const text = await registry.metrics();
    await registry.metrics();
    expect(queries).toBe(1);
    expect(text).toMatch(/^inventory_goods_out_of_stock 3$/m);
    expect(text).toMatch(/^inventory_goods_low_stock 7$/m);
  });

  it("leave the gauges without a value, and the scrape intact, when the database fails", async () => {
    const registry = createMetricsRegistry();
    stockLevelMetrics(
      registry,
      fakeDb(() => Promise.reject(new Error("connection refused"))),
      { defaultThreshold: 10 },
    );
    const text = await registry.metrics();
    expect(text).toContain("process_cpu_user_seconds_total");
    expect(text).toContain("# TYPE inventory_goods_low_stock gauge");
    expect(text).not.toMatch(/^inventory_goods_(low|out_of)_stock /m);
  });
});

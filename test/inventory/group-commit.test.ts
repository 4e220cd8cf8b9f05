import { createMetricsRegistry } from "@emshop/common/metrics/registry";
import { type InventoryDb, openInventoryDb } from "@emshop/db/inventory";
import { migrate } from "@emshop/db/migrate";
import type { SqlClient } from "@emshop/db/sql-client";
import { wasApplied } from "@emshop/inventory/stock/applied";
import { SellCoalescer } from "@emshop/inventory/stock/group-commit";
import { groupCommitMetrics } from "@emshop/inventory/stock/group-commit-metrics";
import { importStocks } from "@emshop/inventory/stock/import-stocks";
import { decideBatch } from "@emshop/inventory/stock/sell-batch";
import type { StockSellRow } from "@emshop/inventory/stock/stock-sell-row";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { ledgerViolations } from "./support/ledger-check";

/** The code of a rejected sell, or "SOLD"/… for a resolved one. */
const outcome = (settled: PromiseSettledResult<StockSellRow>) =>
  settled.status === "fulfilled"
    ? settled.value.status
    : String((settled.reason as { extensions?: { code?: string } }).extensions?.code ?? settled.reason);

describe("decideBatch: the sells of one batch against the locked row", () => {
  const row = { stocks: 10, held: 2, version: 7 };
  const sell = (orderSn: string, num: number) => ({ orderSn, num, actor: null });

  it("takes in arrival order from what is available (on hand minus held), with running stocksAfter/versionAfter", () => {
    expect(decideBatch(row, new Map(), [sell("a", 3), sell("b", 4), sell("c", 2)])).toEqual([
      { kind: "take", stocksAfter: 7, heldAfter: 2, versionAfter: 8 },
      { kind: "take", stocksAfter: 3, heldAfter: 2, versionAfter: 9 },
      { kind: "short", available: 1 },
    ]);
  });

  it("a first order too big for the stock is refused; later ones that fit are taken", () => {
    expect(decideBatch(row, new Map(), [sell("big", 9), sell("a", 5), sell("b", 4), sell("c", 3)])).toEqual([
      { kind: "short", available: 8 },
      { kind: "take", stocksAfter: 5, heldAfter: 2, versionAfter: 8 },
      { kind: "short", available: 3 },
      { kind: "take", stocksAfter: 2, heldAfter: 2, versionAfter: 9 },
    ]);
  });

  it("all repeats of one orderSn: the first decides, the others get its answer", () => {
    expect(decideBatch(row, new Map(), [sell("x", 1), sell("x", 1), sell("x", 1)])).toEqual([
      { kind: "take", stocksAfter: 9, heldAfter: 2, versionAfter: 8 },
      { kind: "repeat", of: 0 },
      { kind: "repeat", of: 0 },
    ]);
  });

  it("a repeat asking for something else: a conflict with a taken order, a fresh order after a refused one", () => {
    expect(decideBatch(row, new Map(), [sell("x", 1), sell("x", 2), sell("y", 20), sell("y", 2)])).toEqual([
      { kind: "take", stocksAfter: 9, heldAfter: 2, versionAfter: 8 },
      { kind: "repeat", of: 0 },
      { kind: "short", available: 7 },
      { kind: "take", stocksAfter: 7, heldAfter: 2, versionAfter: 9 },
    ]);
  });

  it("an orderSn recorded before the batch is answered from its record and takes nothing", () => {
    const record = { orderSn: "old", status: "SOLD" } as StockSellRow;
    expect(decideBatch(row, new Map([["old", record]]), [sell("old", 1), sell("new", 8)])).toEqual([
      { kind: "recorded", row: record },
      { kind: "take", stocksAfter: 2, heldAfter: 2, versionAfter: 8 },
    ]);
  });

  it("a hold takes from available too, into held; a repeated orderSn that sells what it held is another request", () => {
    const hold = (orderSn: string, num: number) => ({ ...sell(orderSn, num), expiresAt: new Date(0) });
    expect(decideBatch(row, new Map(), [hold("h", 3), sell("s", 2), sell("h", 3), hold("g", 4)])).toEqual([
      { kind: "take", stocksAfter: 10, heldAfter: 5, versionAfter: 8 },
      { kind: "take", stocksAfter: 8, heldAfter: 5, versionAfter: 9 },
      { kind: "repeat", of: 0 },
      { kind: "short", available: 3 },
    ]);
  });

  it("no inventory row: every sell is short with available null", () => {
    expect(decideBatch(undefined, new Map(), [sell("a", 1)])).toEqual([{ kind: "short", available: null }]);
  });
});

describe("SellCoalescer on a database", () => {
  let database: TestDatabase;
  let inventory: { db: InventoryDb };
  // Goods 1..7, 10 units each, imported so the ledger starts consistent.
  beforeAll(async () => {
    database = await createTestDatabase("group_commit");
    const db = await openInventoryDb({ url: database.url });
    await migrate(db.sql, "inventory");
    const goods = Array.from({ length: 7 }, (_, index) => ({ goodsId: index + 1, stocks: 10 }));
    await importStocks(db, goods, { reason: "test setup", actor: "test" });
    inventory = { db };
  });
  afterAll(async () => {
    await inventory?.db.close();
    await database?.drop();
  });

  const stocks = async (goodsId: number) =>
    (await inventory.db.prisma.inventory.findUnique({ where: { goodsId } }))?.stocks;
  const rows = (sql: string, params: unknown[]) => inventory.db.sql.query<Record<string, unknown>>(sql, params);
  /** Batch sizes observed so far, from the histogram's sum and count. */
  const coalescer = (maxBatch = 200, db: InventoryDb = inventory.db) => {
    const registry = createMetricsRegistry();
    const sells = new SellCoalescer(db, { enabled: true, maxBatch }, groupCommitMetrics(registry));
    const batches = async () => {
      const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === "stock_sell_batch_size");
      const values = (metric?.values ?? []) as { metricName?: string; value: number; labels: { le?: number } }[];
      return {
        count: values.find((value) => value.metricName === "stock_sell_batch_size_count")?.value ?? 0,
        sum: values.find((value) => value.metricName === "stock_sell_batch_size_sum")?.value ?? 0,
        atMost: (size: number) =>
          values.find((value) => value.metricName === "stock_sell_batch_size_bucket" && value.labels.le === size)
            ?.value ?? 0,
      };
    };
    return { sells, batches };
  };

  it("30 concurrent sells of 1 unit on 10 units: 10 SOLD in arrival order, 20 INSUFFICIENT_STOCK, in batches", async () => {
    const { sells, batches } = coalescer();
    const settled = await Promise.allSettled(
      Array.from({ length: 30 }, (_, index) => sells.sell(`gc-1-${index}`, [{ goodsId: 1, num: 1 }], "test")),
    );
    // The first ran alone; the 29 that arrived meanwhile were one batch, decided first come first served.
    expect(settled.map(outcome)).toEqual([...Array(10).fill("SOLD"), ...Array(20).fill("INSUFFICIENT_STOCK")]);
    expect(await batches()).toMatchObject({ count: 2, sum: 30 });
    expect(await stocks(1)).toBe(0);
    const ledger = await rows(
      "SELECT order_sn, stocks_after, version_after FROM stock_movement WHERE goods_id = 1 AND kind = 'SELL' ORDER BY id",
      [],
    );
    // As if applied one by one: the ledger's running values, in arrival order.
    expect(ledger.map((row) => [row.order_sn, row.stocks_after])).toEqual(
      Array.from({ length: 10 }, (_, index) => [`gc-1-${index}`, 9 - index]),
    );
    expect(new Set(ledger.map((row) => row.version_after)).size).toBe(10);
    const refused = settled[10] as PromiseRejectedResult;
    expect(refused.reason.extensions).toMatchObject({ shortages: [{ goodsId: 1, requested: 1, available: 0 }] });
    expect(await ledgerViolations(inventory.db.sql)).toEqual([]);
  });

  it("a full batch leaves the rest for the next: no batch above maxBatch", async () => {
    const { sells, batches } = coalescer(5);
    const settled = await Promise.allSettled(
      Array.from({ length: 9 }, (_, index) => sells.sell(`gc-2-${index}`, [{ goodsId: 2, num: 1 }], null)),
    );
    expect(settled.map(outcome)).toEqual(Array(9).fill("SOLD"));
    const observed = await batches();
    // 1 alone, then 5, then 3: three batches, each of at most 5 (a histogram bucket bound).
    expect(observed).toMatchObject({ count: 3, sum: 9 });
    expect(observed.atMost(5)).toBe(3);
    expect(observed.atMost(2)).toBe(1);
    expect(await stocks(2)).toBe(1);
  });

  it("all repeats of one orderSn in a batch: one sale, every caller the same record, counted once", async () => {
    const { sells } = coalescer();
    const blocker = sells.sell("gc-3-first", [{ goodsId: 3, num: 1 }], null);
    const repeats = Array.from({ length: 5 }, () => sells.sell("gc-3-x", [{ goodsId: 3, num: 2 }], null));
    const conflict = sells.sell("gc-3-x", [{ goodsId: 3, num: 3 }], null);
    const [, ...answers] = await Promise.all([blocker, ...repeats]);
    expect(answers.map((row) => row.status)).toEqual(Array(5).fill("SOLD"));
    expect(answers.filter((row) => wasApplied(row))).toHaveLength(1);
    expect(outcome((await Promise.allSettled([conflict]))[0] as PromiseSettledResult<StockSellRow>)).toBe(
      "ORDER_CONFLICT",
    );
    expect(await stocks(3)).toBe(7);
    expect(await rows("SELECT 1 FROM stock_movement WHERE order_sn = 'gc-3-x'", [])).toHaveLength(1);
  });

  it("a retry of an order sold before is answered from its record, in a batch too", async () => {
    const { sells } = coalescer();
    await sells.sell("gc-4-old", [{ goodsId: 4, num: 1 }], null);
    const blocker = sells.sell("gc-4-new", [{ goodsId: 4, num: 1 }], null);
    const retry = sells.sell("gc-4-old", [{ goodsId: 4, num: 1 }], null);
    const different = sells.sell("gc-4-old", [{ goodsId: 4, num: 5 }], null);
    const settled = await Promise.allSettled([blocker, retry, different]);
    expect(settled.map(outcome)).toEqual(["SOLD", "SOLD", "ORDER_CONFLICT"]);
    expect(wasApplied((settled[1] as PromiseFulfilledResult<StockSellRow>).value)).toBe(false);
    expect(await stocks(4)).toBe(8);
  });

  /** The database with `query` (outside and inside transactions) wrapped by `wrap`. */
  type Query = (sql: string, params?: unknown[]) => Promise<unknown[]>;
  const intercepted = (wrap: (query: Query) => Query): InventoryDb => {
    const sqlOf = (sql: SqlClient): SqlClient => ({
      ...sql,
      query: wrap(sql.query.bind(sql)) as SqlClient["query"],
      transaction: (work) => sql.transaction((tx) => work(sqlOf(tx))),
    });
    return { ...inventory.db, sql: sqlOf(inventory.db.sql) } as InventoryDb;
  };
  const OPTIMISTIC_WRITE = "AND version = $12";
  const LOCKED_WRITE = "ON CONFLICT (order_sn) DO NOTHING";
  const batchOfFive = async (db: InventoryDb, label: string, goodsId: number) => {
    const { sells } = coalescer(200, db);
    return Promise.allSettled(
      Array.from({ length: 6 }, (_, index) => sells.sell(`${label}-${index}`, [{ goodsId, num: 1 }], null)),
    );
  };
  const appliedOf = async (label: string) => ({
    records: (await rows("SELECT order_sn FROM stock_sell WHERE order_sn LIKE $1", [`${label}-%`])).length,
    movements: (await rows("SELECT 1 FROM stock_movement WHERE order_sn LIKE $1", [`${label}-%`])).length,
  });

  it("a batch whose write fails: every waiting caller gets the error, nothing is applied", async () => {
    const db = intercepted((query) => async (sql, params) => {
      if (sql.includes(OPTIMISTIC_WRITE)) throw new Error("injected: the batch's write failed");
      return query(sql, params);
    });
    const before = await stocks(5);
    const settled = await batchOfFive(db, "gc-5", 5);
    // The first ran alone (sellStock's own statement); the five behind it failed together.
    expect(settled.map(outcome)).toEqual(["SOLD", ...Array(5).fill("Error: injected: the batch's write failed")]);
    expect(await stocks(5)).toBe((before ?? 0) - 1);
    expect(await appliedOf("gc-5")).toEqual({ records: 1, movements: 1 });
    expect(await ledgerViolations(inventory.db.sql)).toEqual([]);
  });

  it("a row that keeps moving sends the batch under the row lock; a transaction failing there applies nothing", async () => {
    let optimistic = 0;
    const db = intercepted((query) => async (sql, params) => {
      // The optimistic write always finds the version moved on (nothing written)…
      if (sql.includes(OPTIMISTIC_WRITE)) {
        optimistic++;
        return [];
      }
      // …and the locked transaction fails after its write, before COMMIT (as a lost connection would).
      const result = await query(sql, params);
      if (sql.includes(LOCKED_WRITE)) throw new Error("injected: the transaction failed after its write");
      return result;
    });
    const before = await stocks(6);
    const settled = await batchOfFive(db, "gc-7", 6);
    expect(optimistic).toBeGreaterThan(0);
    expect(settled.map(outcome)).toEqual([
      "SOLD",
      ...Array(5).fill("Error: injected: the transaction failed after its write"),
    ]);
    expect(await stocks(6)).toBe((before ?? 0) - 1);
    expect(await appliedOf("gc-7")).toEqual({ records: 1, movements: 1 });
    expect(await ledgerViolations(inventory.db.sql)).toEqual([]);
  });

  it("under the row lock after lost races, the batch still sells exactly once per order", async () => {
    let raced = 0;
    const db = intercepted((query) => async (sql, params) => {
      if (sql.includes(OPTIMISTIC_WRITE) && raced++ < 3) return []; // three lost races in a row
      return query(sql, params);
    });
    const settled = await batchOfFive(db, "gc-8", 4);
    expect(settled.map(outcome)).toEqual(Array(6).fill("SOLD"));
    expect(await appliedOf("gc-8")).toEqual({ records: 6, movements: 6 });
    expect(await ledgerViolations(inventory.db.sql)).toEqual([]);
  });

  it("holds and sells of one goods in one batch: exactly the stock taken, held units in held, one hold row each", async () => {
    const { sells, batches } = coalescer();
    const expiresAt = new Date(Date.now() + 600_000);
    const blocker = sells.sell("gc-9-first", [{ goodsId: 3, num: 1 }], null);
    const mixed = Array.from({ length: 10 }, (_, index) =>
      index % 2 === 0
        ? sells.hold({ orderSn: `gc-9-h${index}`, items: [{ goodsId: 3, num: 1 }], expiresAt }, "test")
        : sells.sell(`gc-9-s${index}`, [{ goodsId: 3, num: 1 }], "test"),
    );
    const settled = await Promise.allSettled([blocker, ...mixed]);
    // Goods 3 had 7 units left: the blocker and 6 of the batch are taken, in arrival order.
    expect(settled.map(outcome)).toEqual([
      "SOLD",
      "HELD",
      "SOLD",
      "HELD",
      "SOLD",
      "HELD",
      "SOLD",
      ...Array(4).fill("INSUFFICIENT_STOCK"),
    ]);
    expect(await batches()).toMatchObject({ count: 2, sum: 11 });
    const [row] = await rows("SELECT stocks, held FROM inventory WHERE goods_id = 3", []);
    expect(row).toEqual({ stocks: 3, held: 3 });
    expect(await rows("SELECT order_sn FROM stock_hold WHERE order_sn LIKE 'gc-9-%'", [])).toHaveLength(3);
    expect(await ledgerViolations(inventory.db.sql)).toEqual([]);
  });

  it("disabled: every sell is its own statement (no batch), with the same outcomes", async () => {
    const registry = createMetricsRegistry();
    const sells = new SellCoalescer(inventory.db, { enabled: false, maxBatch: 200 }, groupCommitMetrics(registry));
    const settled = await Promise.allSettled(
      Array.from({ length: 12 }, (_, index) => sells.sell(`gc-6-${index}`, [{ goodsId: 7, num: 1 }], null)),
    );
    expect(settled.filter((result) => outcome(result) === "SOLD")).toHaveLength(10);
    expect(settled.filter((result) => outcome(result) === "INSUFFICIENT_STOCK")).toHaveLength(2);
    const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === "stock_sell_batch_size");
    const values = (metric?.values ?? []) as { metricName?: string; value: number }[];
    expect(values.find((value) => value.metricName === "stock_sell_batch_size_count")?.value ?? 0).toBe(0);
    expect(await ledgerViolations(inventory.db.sql)).toEqual([]);
  });
});

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ledgerViolations } from "../inventory/support/ledger-check";
import { inventoryStocks, readReport, runReconcile } from "./helpers";
import { createLegacyShop, EXPECTED_COUNTS, LEGACY_GOODS, type LegacyShop, snapshot } from "./legacy-fixture";

describe("stocks:reconcile on a legacy shop", () => {
  let shop: LegacyShop;
  beforeEach(async () => {
    shop = await createLegacyShop("reconcile");
  });
  afterEach(() => shop?.close());

  it("dry run reports exactly the expected classes and changes nothing", async () => {
    const goodsBefore = await snapshot(shop.goods.sql);
    const inventoryBefore = await snapshot(shop.inventory.sql);

    const result = await runReconcile(shop, false);
    if (result.status !== "dry_run") throw new Error(`unexpected ${result.status}`);
    expect(result.summary).toEqual({
      goodsScanned: 9,
      counts: EXPECTED_COUNTS,
      totalAbsoluteDrift: 3 + 7,
      negativeLegacyStocks: 1,
    });
    expect(result.summaryTable).toMatch(/drift\s+2\n/);
    expect(readReport(result.reportPath)).toEqual([
      { goodsId: 2, class: "drift", legacyStocks: 5, inventoryStocks: 8, resolution: "keep inventory" },
      { goodsId: 3, class: "drift", legacyStocks: 9, inventoryStocks: 2, resolution: "keep inventory" },
      {
        goodsId: 4,
        class: "missing_inventory",
        legacyStocks: 7,
        inventoryStocks: null,
        resolution: "create inventory row with 7",
      },
      { goodsId: 5, class: "inventory_only", legacyStocks: null, inventoryStocks: 4, resolution: "none" },
      { goodsId: 6, class: "no_stock_anywhere", legacyStocks: null, inventoryStocks: null, resolution: "report only" },
      {
        goodsId: 8,
        class: "missing_inventory",
        legacyStocks: 12,
        inventoryStocks: null,
        resolution: "create inventory row with 12",
      },
      {
        goodsId: 9,
        class: "missing_inventory",
        legacyStocks: -3,
        inventoryStocks: null,
        resolution: "create inventory row with 0",
      },
      { goodsId: 900, class: "orphan_inventory", legacyStocks: null, inventoryStocks: 3, resolution: "report only" },
      { goodsId: 901, class: "orphan_inventory", legacyStocks: null, inventoryStocks: 0, resolution: "report only" },
    ]);
    expect(result.reportRows).toBe(9);

    expect(await snapshot(shop.goods.sql)).toEqual(goodsBefore);
    expect(await snapshot(shop.inventory.sql)).toEqual(inventoryBefore);
  });

  it("apply backs up every legacy value, creates exactly the missing rows with IMPORT ledger rows, once", async () => {
    const before = await inventoryStocks(shop);
    const goodsBefore = await snapshot(shop.goods.sql);
    const result = await runReconcile(shop, true);
    expect(result).toMatchObject({ status: "applied", backedUp: 7, created: 3 });

    // Inventory wins: drifted rows keep their values; only goods 4, 8 and 9 gain a row; orphans stay.
    expect(await inventoryStocks(shop)).toEqual({ ...before, 4: 7, 8: 12, 9: 0 });
    const imports = await shop.inventory.sql.query(
      "SELECT goods_id, delta, stocks_after, kind, reason, actor FROM stock_movement WHERE actor = 'stocks:reconcile' ORDER BY goods_id",
    );
    const reason = "legacy goods.stocks (stocks:reconcile)";
    expect(imports).toEqual([
      { goods_id: 4, delta: 7, stocks_after: 7, kind: "IMPORT", reason, actor: "stocks:reconcile" },
      { goods_id: 8, delta: 12, stocks_after: 12, kind: "IMPORT", reason, actor: "stocks:reconcile" },
      { goods_id: 9, delta: 0, stocks_after: 0, kind: "IMPORT", reason, actor: "stocks:reconcile" },
    ]);
    expect(await ledgerViolations(shop.inventory.sql)).toEqual([]);

    const backup = await shop.goods.sql.query(
      "SELECT goods_id, legacy_stocks, inventory_stocks, class FROM legacy_stock_backup ORDER BY goods_id",
    );
    expect(backup).toEqual(
      Object.entries(LEGACY_GOODS)
        .filter(([, [legacy]]) => legacy !== null)
        .map(([id, [legacy, stocks]]) => ({
          goods_id: Number(id),
          legacy_stocks: legacy,
          inventory_stocks: stocks ?? null,
          class: stocks === undefined ? "missing_inventory" : stocks === legacy ? "match" : "drift",
        })),
    );
    // Nothing in goods changed besides the two audit tables: goods.stocks itself is untouched.
    const goodsAfter = await snapshot(shop.goods.sql);
    expect({ ...goodsAfter, legacy_stock_backup: [], stock_reconcile_run: [] }).toEqual(goodsBefore);
    const runs = await shop.goods.sql.query<{ status: string; summary: { counts: unknown } }>(
      "SELECT status, summary FROM stock_reconcile_run",
    );
    expect(runs).toMatchObject([{ status: "completed", summary: { counts: EXPECTED_COUNTS } }]);

    const inventoryAfter = await snapshot(shop.inventory.sql);
    const again = await runReconcile(shop, true);
    expect(again).toMatchObject({ status: "already_applied", backedUp: 0, created: 0 });
    // The second run reports what the first one found, and changes nothing.
    if (again.status === "already_applied") expect(again.summary.counts).toEqual(EXPECTED_COUNTS);
    expect(await snapshot(shop.goods.sql)).toEqual(goodsAfter);
    expect(await snapshot(shop.inventory.sql)).toEqual(inventoryAfter);
  });

  it("a dry run works before any goods migration of this release, and apply says what to migrate first", async () => {
    const early = await createLegacyShop("reconcile_early", undefined, "0001_catalog.sql");
    try {
      const dry = await runReconcile(early, false);
      if (dry.status !== "dry_run") throw new Error(`unexpected ${dry.status}`);
      expect(dry.summary.counts).toEqual(EXPECTED_COUNTS);
      await expect(runReconcile(early, true)).rejects.toThrow(
        /missing goods database: legacy_stock_backup, goods database: stock_reconcile_run\): run `npm run db:migrate` first/,
      );
    } finally {
      await early.close();
    }
  });
});

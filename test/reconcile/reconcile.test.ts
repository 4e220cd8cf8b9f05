import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrate } from "@emshop/db/migrate";
import { reconcile } from "@emshop/inventory/reconcile/reconcile";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { ledgerViolations } from "../inventory/support/ledger-check";
import { createLegacyShop, EXPECTED_COUNTS, LEGACY_GOODS, type LegacyShop, snapshot } from "./legacy-fixture";

const reportDir = mkdtempSync(join(tmpdir(), "emshop-reconcile-"));
afterAll(() => rmSync(reportDir, { recursive: true, force: true }));
let reportNumber = 0;
const reportPath = () => join(reportDir, `report-${++reportNumber}.jsonl`);

const run = (shop: LegacyShop, apply: boolean, extra: { batchSize?: number; failAfterBatches?: number } = {}) =>
  reconcile({
    goods: shop.goods.sql,
    inventory: shop.inventory,
    apply,
    reportPath: reportPath(),
    batchSize: 3,
    ...extra,
  });

const inventoryRows = async (shop: LegacyShop) =>
  Object.fromEntries(
    (
      await shop.inventory.sql.query<{ goods_id: number; stocks: number }>(
        "SELECT goods_id, stocks FROM inventory ORDER BY goods_id",
      )
    ).map((row) => [row.goods_id, row.stocks]),
  );

describe("stocks:reconcile on a legacy shop", () => {
  let shop: LegacyShop;
  beforeEach(async () => {
    shop = await createLegacyShop("reconcile");
  });
  afterEach(() => shop?.close());

  it("dry run reports exactly the expected classes and changes nothing", async () => {
    const goodsBefore = await snapshot(shop.goods.sql);
    const inventoryBefore = await snapshot(shop.inventory.sql);

    const result = await run(shop, false);
    if (result.status !== "dry_run") throw new Error(`unexpected ${result.status}`);
    expect(result.summary.counts).toEqual(EXPECTED_COUNTS);
    expect(result.summary.totalAbsoluteDrift).toBe(3 + 7);
    const report = readFileSync(result.reportPath, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(report).toEqual([
      { goodsId: 2, class: "drift", legacyStocks: 5, inventoryStocks: 8 },
      { goodsId: 3, class: "drift", legacyStocks: 9, inventoryStocks: 2 },
      { goodsId: 4, class: "missing_inventory", legacyStocks: 7, inventoryStocks: null },
      { goodsId: 5, class: "inventory_only", legacyStocks: null, inventoryStocks: 4 },
      { goodsId: 6, class: "no_stock_anywhere", legacyStocks: null, inventoryStocks: null },
      { goodsId: 8, class: "missing_inventory", legacyStocks: 12, inventoryStocks: null },
      { goodsId: 900, class: "orphan_inventory", legacyStocks: null, inventoryStocks: 3 },
      { goodsId: 901, class: "orphan_inventory", legacyStocks: null, inventoryStocks: 0 },
    ]);

    expect(await snapshot(shop.goods.sql)).toEqual(goodsBefore);
    expect(await snapshot(shop.inventory.sql)).toEqual(inventoryBefore);
  });

  it("apply backs up every legacy value, creates exactly the missing rows with IMPORT ledger rows, once", async () => {
    const before = await inventoryRows(shop);
    const result = await run(shop, true);
    expect(result.status).toBe("applied");

    // Inventory wins: drifted rows keep their values; only goods 4 and 8 gain a row.
    expect(await inventoryRows(shop)).toEqual({ ...before, 4: 7, 8: 12 });
    const imports = await shop.inventory.sql.query<{ goods_id: number; delta: number; kind: string; actor: string }>(
      "SELECT goods_id, delta, kind, actor FROM stock_movement WHERE actor = 'stocks:reconcile' ORDER BY goods_id",
    );
    expect(imports).toEqual([
      { goods_id: 4, delta: 7, kind: "IMPORT", actor: "stocks:reconcile" },
      { goods_id: 8, delta: 12, kind: "IMPORT", actor: "stocks:reconcile" },
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
    const runs = await shop.goods.sql.query<{ status: string }>("SELECT status FROM stock_reconcile_run");
    expect(runs).toEqual([{ status: "completed" }]);

    const goodsAfter = await snapshot(shop.goods.sql);
    const inventoryAfter = await snapshot(shop.inventory.sql);
    const again = await run(shop, true);
    expect(again.status).toBe("already_applied");
    expect(await snapshot(shop.goods.sql)).toEqual(goodsAfter);
    expect(await snapshot(shop.inventory.sql)).toEqual(inventoryAfter);
  });

  it("the drop migration refuses before apply and succeeds after it", async () => {
    await expect(migrate(shop.goods.sql, "goods")).rejects.toThrow(
      /0003_drop_goods_stocks\.sql failed: goods\.stocks still holds 6 legacy value\(s\), 6 of them not backed up/,
    );
    // The failed migration changed nothing: the column and its values are still there.
    const [{ n }] = (await shop.goods.sql.query("SELECT count(stocks)::int AS n FROM goods")) as [{ n: number }];
    expect(n).toBe(6);

    await run(shop, true);
    expect(await migrate(shop.goods.sql, "goods")).toEqual(["0003_drop_goods_stocks.sql"]);
    const columns = await shop.goods.sql.query(
      "SELECT 1 FROM information_schema.columns WHERE table_name = 'goods' AND column_name = 'stocks'",
    );
    expect(columns).toEqual([]);
    expect((await run(shop, false)).status).toBe("no_legacy_column");
  });

  it("an apply interrupted after any batch completes on re-run with the same final state", async () => {
    const reference = await createLegacyShop("reconcile_reference");
    try {
      await run(reference, true);
      const expectedGoods = await snapshot(reference.goods.sql);
      const expectedInventory = await snapshot(reference.inventory.sql);
      // Batches of 3 over 8 goods: 3 batches. Fail after the first, then after the second, then finish.
      await expect(run(shop, true, { failAfterBatches: 1 })).rejects.toThrow(/injected failure after 1 batch/);
      await expect(run(shop, true, { failAfterBatches: 2 })).rejects.toThrow(/injected failure after 2 batch/);
      expect(await shop.goods.sql.query("SELECT * FROM stock_reconcile_run")).toEqual([]);
      expect((await run(shop, true)).status).toBe("applied");

      const withoutTimes = (tables: Record<string, unknown[]>) =>
        JSON.parse(
          JSON.stringify(tables, (key, value) =>
            ["applied_at", "backed_up_at", "created_at", "updated_at", "started_at", "finished_at", "id"].includes(key)
              ? undefined
              : value,
          ),
        );
      expect(withoutTimes(await snapshot(shop.goods.sql))).toEqual(withoutTimes(expectedGoods));
      expect(withoutTimes(await snapshot(shop.inventory.sql))).toEqual(withoutTimes(expectedInventory));
    } finally {
      await reference.close();
    }
  });
});

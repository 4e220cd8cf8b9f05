import type { SqlClient } from "@emshop/db/sql-client";
import { classify, type StockComparison } from "./classify";

export interface ScanOptions {
  batchSize: number;
}

/** Whether the goods database still has the legacy column (it is gone once 0003 ran). */
export async function hasLegacyColumn(goods: SqlClient): Promise<boolean> {
  const rows = await goods.query(
    `SELECT 1 FROM information_schema.columns
     WHERE table_schema = 'public' AND table_name = 'goods' AND column_name = 'stocks'`,
  );
  return rows.length > 0;
}

export async function countRows(goods: SqlClient, inventory: SqlClient) {
  const [g] = await goods.query<{ n: number }>("SELECT count(*)::int AS n FROM goods");
  const [i] = await inventory.query<{ n: number }>("SELECT count(*)::int AS n FROM inventory");
  return { goods: g?.n ?? 0, inventory: i?.n ?? 0 };
}

const stocksOf = async (inventory: SqlClient, goodsIds: number[]) =>
  new Map(
    (
      await inventory.query<{ goods_id: number; stocks: number }>(
        "SELECT goods_id, stocks FROM inventory WHERE goods_id = ANY($1::int[])",
        [goodsIds],
      )
    ).map((row) => [row.goods_id, row.stocks]),
  );

/**
 * Every goods with both its values, in batches of goods ids (keyset pagination:
 * each batch is one indexed range query on each database, so memory stays
 * bounded by the batch size whatever the table size).
 */
export async function* scanGoods(goods: SqlClient, inventory: SqlClient, options: ScanOptions) {
  let after = 0;
  for (;;) {
    const rows = await goods.query<{ id: number; stocks: number | null }>(
      "SELECT id, stocks FROM goods WHERE id > $1 ORDER BY id LIMIT $2",
      [after, options.batchSize],
    );
    if (rows.length === 0) return;
    const stocks = await stocksOf(
      inventory,
      rows.map((row) => row.id),
    );
    yield rows.map((row): StockComparison => {
      const inventoryStocks = stocks.get(row.id) ?? null;
      return {
        goodsId: row.id,
        goodsExists: true,
        legacyStocks: row.stocks,
        inventoryStocks,
        class: classify(true, row.stocks, inventoryStocks),
      };
    });
    after = rows[rows.length - 1]?.id ?? after;
  }
}

/** Inventory rows whose goods id the goods database does not have, in batches of inventory rows scanned. */
export async function* scanOrphans(goods: SqlClient, inventory: SqlClient, options: ScanOptions) {
  let after = 0;
  for (;;) {
    const rows = await inventory.query<{ goods_id: number; stocks: number }>(
      "SELECT goods_id, stocks FROM inventory WHERE goods_id > $1 ORDER BY goods_id LIMIT $2",
      [after, options.batchSize],
    );
    if (rows.length === 0) return;
    const known = new Set(
      (
        await goods.query<{ id: number }>("SELECT id FROM goods WHERE id = ANY($1::int[])", [
          rows.map((row) => row.goods_id),
        ])
      ).map((row) => row.id),
    );
    yield {
      scanned: rows.length,
      orphans: rows
        .filter((row) => !known.has(row.goods_id))
        .map(
          (row): StockComparison => ({
            goodsId: row.goods_id,
            goodsExists: false,
            legacyStocks: null,
            inventoryStocks: row.stocks,
            class: "orphan_inventory",
          }),
        ),
    };
    after = rows[rows.length - 1]?.goods_id ?? after;
  }
}

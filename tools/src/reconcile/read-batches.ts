import type { SqlClient } from "@emshop/db/sql-client";
import { classify, type StockComparison } from "./classify";

/** Whether the goods database still has the legacy column (it is gone once 0003 ran). */
export async function hasLegacyColumn(goods: SqlClient): Promise<boolean> {
  const rows = await goods.query(
    `SELECT 1 FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = 'goods' AND column_name = 'stocks'`,
  );
  return rows.length > 0;
}

/** Which of `tables` the database lacks (e.g. because a migration has not run yet). */
export async function missingTables(sql: SqlClient, tables: string[]): Promise<string[]> {
  const rows = await sql.query<{ name: string }>(
    "SELECT name FROM unnest($1::text[]) AS t(name) WHERE to_regclass(name) IS NULL ORDER BY name",
    [tables],
  );
  return rows.map((row) => row.name);
}

/** Rows to go through, for the progress bar: every goods, then every inventory row (orphan pass). */
export async function countRows(goods: SqlClient, inventory: SqlClient) {
  const [g] = await goods.query<{ n: number }>("SELECT count(*)::int AS n FROM goods");
  const [i] = await inventory.query<{ n: number }>("SELECT count(*)::int AS n FROM inventory");
  return { goods: g?.n ?? 0, inventory: i?.n ?? 0 };
}

const inventoryStocksOf = async (inventory: SqlClient, goodsIds: number[]) =>
  new Map(
    (
      await inventory.query<{ goods_id: number; stocks: number }>(
        "SELECT goods_id, stocks FROM inventory WHERE goods_id = ANY($1::int[])",
        [goodsIds],
      )
    ).map((row) => [row.goods_id, row.stocks]),
  );

/**
 * Every goods with both its values, batch by batch. Keyset pagination on the
 * primary key (`id > last ORDER BY id LIMIT n`) makes each batch one index range
 * scan in goods plus one unique-index lookup of the same ids in inventory, so
 * the cost per batch and the memory held stay the same whatever the table size
 * (OFFSET would rescan everything before the page).
 */
export async function* readGoodsBatches(goods: SqlClient, inventory: SqlClient, batchSize: number) {
  let after = 0;
  for (;;) {
    const rows = await goods.query<{ id: number; stocks: number | null }>(
      "SELECT id, stocks FROM goods WHERE id > $1 ORDER BY id LIMIT $2",
      [after, batchSize],
    );
    if (rows.length === 0) return;
    const stocks = await inventoryStocksOf(
      inventory,
      rows.map((row) => row.id),
    );
    yield rows.map((row): StockComparison => {
      const inventoryStocks = stocks.get(row.id) ?? null;
      return {
        goodsId: row.id,
        legacyStocks: row.stocks,
        inventoryStocks,
        class: classify(true, row.stocks, inventoryStocks),
      };
    });
    after = rows[rows.length - 1]?.id ?? after;
  }
}

/**
 * The orphan pass: every inventory row, batch by batch in goods-id order, and
 * the ones whose goods id the goods database does not have. The goods pass
 * cannot find them (it only looks up ids goods has), and the two databases
 * cannot be joined, so this is a second keyset scan.
 */
export async function* readOrphanBatches(goods: SqlClient, inventory: SqlClient, batchSize: number) {
  let after = 0;
  for (;;) {
    const rows = await inventory.query<{ goods_id: number; stocks: number }>(
      "SELECT goods_id, stocks FROM inventory WHERE goods_id > $1 ORDER BY goods_id LIMIT $2",
      [after, batchSize],
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
            legacyStocks: null,
            inventoryStocks: row.stocks,
            class: classify(false, null, row.stocks),
          }),
        ),
    };
    after = rows[rows.length - 1]?.goods_id ?? after;
  }
}

import { INT32_MAX } from "./int32";
import type { SqlClient } from "./sql-client";

/** One goods to import: its initial stock. */
export interface StockImportItem {
  goodsId: number;
  stocks: number;
}

export interface StockImportMeta {
  /** Why the stock is imported (kept in the ledger's `reason`). */
  reason: string;
  /** Who imports it (the ledger's `actor`), when known. */
  actor?: string;
}

/**
 * Creates the inventory row of every goods that has none yet, with one IMPORT
 * ledger row per row actually created; goods that already have a row are left
 * untouched (skipped), so running it twice changes nothing the second time.
 *
 * Set-based on purpose: one statement (arrays + unnest) whatever the batch size,
 * so 5,000 goods cost one round trip, and a statement is one transaction, so the
 * rows and their ledger entries are written together or not at all. Rows are
 * inserted in goods-id order, the order every stock writer locks in. This is the
 * one code path for imports: the inventory subgraph's importStocks and the seed.
 */
export async function importStockRows(
  sql: SqlClient,
  items: StockImportItem[],
  meta: StockImportMeta,
): Promise<{ created: number; skipped: number }> {
  for (const { goodsId, stocks } of items) {
    if (!Number.isInteger(goodsId) || goodsId < 1 || goodsId > INT32_MAX)
      throw new RangeError(`goodsId ${goodsId} is not a positive int32`);
    if (!Number.isInteger(stocks) || stocks < 0 || stocks > INT32_MAX)
      throw new RangeError(`stocks ${stocks} of goods ${goodsId} is not a non-negative int32`);
  }
  if (!meta.reason.trim()) throw new RangeError("an import needs a reason");
  if (items.length === 0) return { created: 0, skipped: 0 };
  const [row] = await sql.query<{ created: number }>(
    `WITH input AS (
       -- The first occurrence wins when a goods is listed twice.
       SELECT DISTINCT ON (goods_id) goods_id, stocks
       FROM unnest($1::int[], $2::int[]) WITH ORDINALITY AS t(goods_id, stocks, n)
       ORDER BY goods_id, n
     ), created AS (
       INSERT INTO inventory (goods_id, stocks)
       SELECT goods_id, stocks FROM input ORDER BY goods_id
       ON CONFLICT (goods_id) DO NOTHING
       RETURNING goods_id, stocks, version
     ), ledger AS (
       -- New rows have no threshold of their own: the default is in force (stock events record it).
       INSERT INTO stock_movement (goods_id, delta, stocks_after, version_after, kind, reason, actor, low_stock_threshold)
       SELECT goods_id, stocks, stocks, version, 'IMPORT', $3, $4, (SELECT default_low_stock_threshold FROM inventory_settings)
       FROM created ORDER BY goods_id
       RETURNING 1
     )
     SELECT count(*)::int AS created FROM ledger`,
    [
      items.map((item) => item.goodsId),
      items.map((item) => item.stocks),
      meta.reason.slice(0, 200),
      meta.actor?.slice(0, 100) ?? null,
    ],
  );
  const created = row?.created ?? 0;
  return { created, skipped: items.length - created };
}

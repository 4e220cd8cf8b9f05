import type { InventoryDb } from "@emshop/db/inventory";
import type { SqlClient } from "@emshop/db/sql-client";
import { importStocks } from "../stock/import-stocks";
import type { StockComparison } from "./classify";

export const IMPORT_REASON = "legacy goods.stocks (stocks:reconcile)";
export const IMPORT_ACTOR = "stocks:reconcile";

/**
 * The repair of one batch, in the order that keeps every value safe:
 * (1) back up every legacy value in the goods database, (2) create the missing
 * inventory rows through importStocks (the same code path and IMPORT ledger
 * rows as every other import). Both steps are idempotent (existing backups and
 * inventory rows are kept), so an interrupted run can simply be run again.
 */
export async function applyBatch(goods: SqlClient, inventory: InventoryDb, rows: StockComparison[]) {
  const legacy = rows.filter((row) => row.legacyStocks !== null);
  const [backup] = legacy.length
    ? await goods.query<{ n: number }>(
        `WITH saved AS (
           INSERT INTO legacy_stock_backup (goods_id, legacy_stocks, inventory_stocks, class)
           SELECT * FROM unnest($1::int[], $2::int[], $3::int[], $4::varchar[])
           ON CONFLICT (goods_id) DO NOTHING
           RETURNING 1
         ) SELECT count(*)::int AS n FROM saved`,
        [
          legacy.map((row) => row.goodsId),
          legacy.map((row) => row.legacyStocks),
          legacy.map((row) => row.inventoryStocks),
          legacy.map((row) => row.class),
        ],
      )
    : [{ n: 0 }];
  const seen = await asFirstSeen(goods, rows);
  const missing = seen.filter((row) => row.class === "missing_inventory");
  const imported = await importStocks(
    inventory,
    missing.map((row) => ({ goodsId: row.goodsId, stocks: row.legacyStocks ?? 0 })),
    { reason: IMPORT_REASON, actor: IMPORT_ACTOR },
  );
  return { rows: seen, backedUp: backup?.n ?? 0, created: imported.created };
}

/**
 * The rows as the first apply saw them, before it repaired anything: a run that
 * resumes an interrupted one finds goods it already repaired (now "match"), but
 * their backup still says what they were, so reports and the recorded run come
 * out the same as after an uninterrupted run.
 */
async function asFirstSeen(goods: SqlClient, rows: StockComparison[]): Promise<StockComparison[]> {
  const backups = new Map(
    (
      await goods.query<{ goods_id: number; inventory_stocks: number | null; class: StockComparison["class"] }>(
        "SELECT goods_id, inventory_stocks, class FROM legacy_stock_backup WHERE goods_id = ANY($1::int[])",
        [rows.map((row) => row.goodsId)],
      )
    ).map((row) => [row.goods_id, row]),
  );
  return rows.map((row) => {
    const backup = backups.get(row.goodsId);
    return backup ? { ...row, inventoryStocks: backup.inventory_stocks, class: backup.class } : row;
  });
}

import type { InventoryDb } from "@emshop/db/inventory";
import { importStockRows } from "@emshop/db/stock-import";

/**
 * Creates the inventory row (and its IMPORT ledger row) of each goods that has
 * none yet, in one transaction; existing rows are skipped, so it is idempotent.
 * The set-based SQL lives in @emshop/db so the seed writes exactly the same rows.
 */
export async function importStocks(
  db: InventoryDb,
  items: { goodsId: number; stocks: number }[],
  meta: { reason: string; actor?: string },
): Promise<{ created: number; skipped: number }> {
  return importStockRows(db.sql, items, meta);
}

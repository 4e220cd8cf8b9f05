import { badUserInput, INT32_MAX, notFound } from "@emshop/common/errors";
import type { InventoryDb, Inventory as InventoryRow } from "@emshop/db/inventory";
import { INVENTORY_COLUMNS } from "./ledger";

export type StockStatus = "IN_STOCK" | "LOW_STOCK" | "OUT_OF_STOCK";

/** The low-stock rules of a service: the threshold for goods without one of their own. */
export interface LowStockOptions {
  defaultThreshold: number;
}

export const DEFAULT_LOW_STOCK: LowStockOptions = { defaultThreshold: 10 };

/** OUT_OF_STOCK at 0; LOW_STOCK while at or below the threshold in force (its own, else the default); else IN_STOCK. */
export function stockStatus(stocks: number, ownThreshold: number | null | undefined, options: LowStockOptions) {
  if (stocks <= 0) return "OUT_OF_STOCK";
  return stocks <= (ownThreshold ?? options.defaultThreshold) ? "LOW_STOCK" : "IN_STOCK";
}

/**
 * Sets (or, with null, clears) one goods' own threshold. Not a stock change:
 * neither stocks nor version move, and the ledger is untouched. The goods
 * must have an inventory row (NOT_FOUND otherwise): a threshold for stock
 * inventory does not count would mean nothing.
 */
export async function setLowStockThreshold(
  db: InventoryDb,
  goodsId: number,
  threshold: number | null,
): Promise<InventoryRow> {
  if (threshold !== null && (!Number.isInteger(threshold) || threshold < 0 || threshold > INT32_MAX))
    throw badUserInput("threshold", `must be a whole number from 0 to ${INT32_MAX}, or null for the default`);
  const [row] = await db.sql.query<InventoryRow>(
    `UPDATE inventory SET low_stock_threshold = $2 WHERE goods_id = $1 RETURNING ${INVENTORY_COLUMNS}`,
    [goodsId, threshold],
  );
  if (!row) throw notFound("Inventory", goodsId);
  return row;
}

export const MAX_LOW_STOCK_PAGE = 100;
const PREFIX = "low:";

const encodeCursor = (row: { stocks: number; goodsId: number }) =>
  Buffer.from(`${PREFIX}${row.stocks}:${row.goodsId}`).toString("base64url");

function decodeCursor(cursor: string): [number, number] {
  const match =
    cursor.length <= 64 ? /^low:(\d{1,10}):(\d{1,10})$/.exec(Buffer.from(cursor, "base64url").toString()) : null;
  const stocks = Number(match?.[1]);
  const goodsId = Number(match?.[2]);
  if (!match || stocks > INT32_MAX || goodsId < 1 || goodsId > INT32_MAX)
    throw badUserInput("after", "is not a cursor returned by lowStockGoods");
  return [stocks, goodsId];
}

/**
 * The goods at or below their threshold (out of stock included), emptiest
 * first: ordered by (stocks, goods id), paged by a cursor on that pair, which
 * the (stocks, goods_id) index serves.
 */
export async function listLowStock(db: InventoryDb, options: LowStockOptions, first: number, after: string | null) {
  if (!Number.isInteger(first) || first < 1 || first > MAX_LOW_STOCK_PAGE)
    throw badUserInput("first", `must be between 1 and ${MAX_LOW_STOCK_PAGE}`);
  const [afterStocks, afterGoodsId] = after ? decodeCursor(after) : [-1, 0];
  const rows = await db.sql.query<InventoryRow>(
    `SELECT ${INVENTORY_COLUMNS} FROM inventory
      WHERE stocks <= COALESCE(low_stock_threshold, $1) AND (stocks, goods_id) > ($2, $3)
      ORDER BY stocks, goods_id LIMIT $4`,
    [options.defaultThreshold, afterStocks, afterGoodsId, first + 1],
  );
  const items = rows.slice(0, first);
  const last = items.at(-1);
  return { items, endCursor: last ? encodeCursor(last) : null, hasNextPage: rows.length > first };
}

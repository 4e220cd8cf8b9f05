import type { SqlClient } from "@emshop/db/sql-client";
import type { OrderItem } from "./validate";

export type StockSellStatus = "SOLD" | "RETURNED" | "CANCELLED" | "HELD" | "CONFIRMED" | "RELEASED" | "EXPIRED";

/** One stock_sell row: what an order took from stock and where it stands. */
export interface StockSellRow {
  orderSn: string;
  status: StockSellStatus;
  /** Merged per goods, sorted by goods id (see mergeOrderItems). */
  items: OrderItem[];
  createdAt: Date;
  updatedAt: Date;
  /** When a hold stops counting; null for direct sells. */
  expiresAt: Date | null;
}

export const STOCK_SELL_COLUMNS = `order_sn AS "orderSn", status, items, created_at AS "createdAt", updated_at AS "updatedAt", expires_at AS "expiresAt"`;

export async function findStockSell(sql: SqlClient, orderSn: string): Promise<StockSellRow | null> {
  const [row] = await sql.query<StockSellRow>(`SELECT ${STOCK_SELL_COLUMNS} FROM stock_sell WHERE order_sn = $1`, [
    orderSn,
  ]);
  return row ?? null;
}

/** Whether a repeated sellStock asks for exactly what the order recorded (both merged and sorted). */
export const sameItems = (a: readonly OrderItem[], b: readonly OrderItem[]) =>
  a.length === b.length && a.every((item, index) => item.goodsId === b[index]?.goodsId && item.num === b[index]?.num);

/**
 * Records an orderSn that was never sold or held as CANCELLED (an "empty
 * rollback": rebackStock or releaseHold came first), so a late sellStock or
 * holdStock is refused. Null when the orderSn got a record meanwhile.
 */
export async function recordCancelled(sql: SqlClient, orderSn: string): Promise<StockSellRow | null> {
  const [cancelled] = await sql.query<StockSellRow>(
    `INSERT INTO stock_sell (order_sn, status, items) VALUES ($1, 'CANCELLED', '[]'::jsonb)
     ON CONFLICT (order_sn) DO NOTHING RETURNING ${STOCK_SELL_COLUMNS}`,
    [orderSn],
  );
  return cancelled ?? null;
}

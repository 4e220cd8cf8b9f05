import type { SqlClient } from "@emshop/db/sql-client";
import type { StockSellRow } from "./target-rows";
import { stockSellTable } from "./target-tables";

/** What happens to one order's stock record in the target. */
export type SellPlan =
  | { action: "insert" | "unchanged" | "update"; row: StockSellRow }
  | { action: "conflict"; row: StockSellRow; reason: string };

/**
 * Compares the records with the target's stock_sell. A record only ever
 * moves forward: SOLD → RETURNED (emshop returned the order between two runs).
 * Anything else that differs means the target has lived since (e.g. the order
 * was returned there, then re-running must not make it returnable twice): the
 * target's record stays and the difference is reported as a conflict.
 */
export async function planSells(inventory: SqlClient, rows: StockSellRow[]): Promise<SellPlan[]> {
  const existing = await stockSellTable.fetch(
    inventory,
    rows.map((row) => row.orderSn),
  );
  return rows.map((row): SellPlan => {
    const current = existing.get(row.orderSn);
    if (!current) return { action: "insert", row };
    if (stockSellTable.canonical(current) === stockSellTable.canonical(row)) return { action: "unchanged", row };
    const sameItems = JSON.stringify(current.items) === JSON.stringify(row.items);
    if (sameItems && current.status === "SOLD" && row.status === "RETURNED") return { action: "update", row };
    return {
      action: "conflict",
      row,
      reason: `the target has ${current.status} ${JSON.stringify(current.items)}, emshop ${row.status} ${JSON.stringify(row.items)}; the target's record is kept`,
    };
  });
}

/** Writes the planned records in the caller's transaction. */
export async function writeSells(tx: SqlClient, plans: SellPlan[]) {
  const inserts = plans.filter((plan) => plan.action === "insert").map((plan) => plan.row);
  if (inserts.length > 0)
    await tx.query(
      `INSERT INTO stock_sell (order_sn, status, items, created_at, updated_at)
       SELECT r.order_sn, r.status, r.items, coalesce(r.created_at, CURRENT_TIMESTAMP), coalesce(r.updated_at, r.created_at, CURRENT_TIMESTAMP)
       FROM jsonb_to_recordset($1::jsonb) AS r(order_sn text, status text, items jsonb, created_at timestamptz, updated_at timestamptz)
       ORDER BY r.order_sn
       ON CONFLICT (order_sn) DO NOTHING`,
      [
        JSON.stringify(
          inserts.map((row) => ({
            order_sn: row.orderSn,
            status: row.status,
            items: row.items,
            created_at: row.createdAt,
            updated_at: row.updatedAt,
          })),
        ),
      ],
    );
  const returned = plans.filter((plan) => plan.action === "update").map((plan) => plan.row);
  if (returned.length > 0)
    await tx.query(
      `UPDATE stock_sell s SET status = 'RETURNED', updated_at = coalesce(r.updated_at, CURRENT_TIMESTAMP)
       FROM jsonb_to_recordset($1::jsonb) AS r(order_sn text, updated_at timestamptz)
       WHERE s.order_sn = r.order_sn AND s.status = 'SOLD'`,
      [JSON.stringify(returned.map((row) => ({ order_sn: row.orderSn, updated_at: row.updatedAt })))],
    );
}

import { badUserInput, INT32_MAX, notFound } from "@emshop/common/errors";
import type { Inventory as InventoryRow } from "@emshop/db/inventory";
import type { SqlClient } from "@emshop/db/sql-client";
import { belowHeld, insufficientStock } from "./errors";
import { INVENTORY_COLUMNS, ledgerInsert } from "./ledger";
import type { ChangeMeta } from "./set-stocks";

/**
 * adjustStock: one statement, so it is atomic without an explicit transaction
 * (with a requestId, `sql` is the transaction that claimed it; see idempotency.ts).
 * The condition is part of the UPDATE: under concurrent writers PostgreSQL
 * re-checks it against the latest row version before updating (READ COMMITTED),
 * so stock can never go below zero and no concurrent change is lost.
 */
export async function adjustStock(
  sql: SqlClient,
  goodsId: number,
  delta: number,
  meta: ChangeMeta,
): Promise<InventoryRow> {
  const [row] = await sql.query<InventoryRow>(
    `WITH updated AS (
       UPDATE inventory SET stocks = stocks + $2, version = version + 1, updated_at = CURRENT_TIMESTAMP
       WHERE goods_id = $1 AND stocks::bigint + $2 BETWEEN held AND ${INT32_MAX}
       RETURNING *, $2::int AS delta
     ), ledger AS (${ledgerInsert("updated", "ADJUST", { reason: "$3", actor: "$4", requestId: "$5" })})
     SELECT ${INVENTORY_COLUMNS} FROM updated`,
    [goodsId, delta, meta.reason, meta.actor, meta.requestId],
  );
  if (row) return row;
  // Nothing changed; say why, from the row as it is now.
  const [current] = await sql.query<{ stocks: number; held: number }>(
    "SELECT stocks, held FROM inventory WHERE goods_id = $1",
    [goodsId],
  );
  if (!current) throw notFound("Inventory of goods", goodsId);
  if (current.stocks + delta > INT32_MAX) throw badUserInput("delta", `stocks would exceed ${INT32_MAX}`);
  const after = current.stocks + delta;
  if (after >= 0 && after < current.held) throw belowHeld([{ goodsId, held: current.held, requested: after }]);
  // Too few units (or a concurrent change moved the row between the update and this read).
  throw insufficientStock([{ goodsId, requested: -delta, available: current.stocks - current.held }]);
}

/**
 * The stock ledger (table stock_movement). Every change writes its movements
 * in the same SQL statement as the change itself, as a data-modifying CTE, so a
 * change and its ledger rows are committed together or not at all, and no extra
 * round trip is spent while the changed rows are locked.
 */
export type MovementKind = "SET" | "ADJUST" | "SELL" | "REBACK" | "IMPORT" | "HOLD" | "CONFIRM" | "RELEASE" | "EXPIRE";

/** The columns the inventory queries return, named like the Prisma model. */
export const INVENTORY_COLUMNS = `id, goods_id AS "goodsId", stocks, version, updated_at AS "updatedAt", low_stock_threshold AS "lowStockThreshold"`;

export interface LedgerValues {
  /** SQL expressions (placeholders such as `$3`, or NULL) for the movement's context. */
  reason?: string;
  orderSn?: string;
  actor?: string;
  /** The idempotency key of an admin write (see idempotency.ts). */
  requestId?: string;
  /** The source's column with the change of held units (holds, ./holds.ts); 0 when not given. */
  heldDelta?: string;
}

/**
 * The low-stock threshold in force for `source.goods_id`: its own, else the
 * service's default (written to inventory_settings at start). Recorded on each
 * movement so the stock events derived from it never change (README "Stock
 * events"). Thresholds are not changed by stock writes, so the statement's
 * snapshot of the inventory row is the right one.
 */
const THRESHOLD_IN_FORCE = `COALESCE(
      (SELECT own.low_stock_threshold FROM inventory own WHERE own.goods_id = source.goods_id),
      (SELECT default_low_stock_threshold FROM inventory_settings))`;

/**
 * `INSERT INTO stock_movement … SELECT … FROM source`, where `source` (a CTE)
 * has the columns goods_id, delta, stocks, held and version (all three after).
 */
export function ledgerInsert(source: string, kind: MovementKind, values: LedgerValues): string {
  const text = (expression = "NULL") => `${expression}::text`;
  return `INSERT INTO stock_movement (goods_id, delta, stocks_after, version_after, kind, reason, order_sn, actor, request_id, held_delta, held_after, low_stock_threshold)
    SELECT goods_id, delta, stocks, version, '${kind}', ${text(values.reason)}, ${text(values.orderSn)}, ${text(values.actor)}, ${text(values.requestId)}, ${values.heldDelta ?? "0"}, held, ${THRESHOLD_IN_FORCE}
    FROM ${source} AS source ORDER BY goods_id`;
}

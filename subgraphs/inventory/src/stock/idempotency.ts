import type { InventoryDb, Inventory as InventoryRow } from "@emshop/db/inventory";
import type { SqlClient } from "@emshop/db/sql-client";
import { idempotencyConflict } from "./errors";

/*
 * Exactly-once admin stock writes (setStock, adjustStock, batchSetStocks), per
 * requestId (table stock_request, migrations/inventory/0003).
 *
 * The key is claimed FIRST, in the change's own transaction, with INSERT … ON
 * CONFLICT DO NOTHING. Under READ COMMITTED that INSERT, unlike a SELECT, waits
 * for a concurrent transaction holding the same key to commit or roll back:
 *  - it claimed the key: this is the first attempt; the change runs and its
 *    answer is stored in the claim row before the commit, so a committed claim
 *    always carries its result;
 *  - it conflicted: the key is committed (the next statement takes a new
 *    snapshot, so it reads the row); the same operation and input replay the
 *    stored answer and change nothing, anything else is IDEMPOTENCY_CONFLICT.
 * Only the claim can tell a retry from a new change: checking a precondition
 * before it (say, expectedVersion) would make a retry of a change still in
 * flight fail with VERSION_CONFLICT instead of getting its answer.
 *
 * A first attempt that fails (VERSION_CONFLICT, INSUFFICIENT_STOCK, NOT_FOUND, …)
 * throws, which rolls its claim back too: nothing is recorded, and a retry with
 * the same key runs afresh (e.g. with a corrected expectedVersion).
 *
 * Lock order: the stock_request row before any inventory row. A duplicate waits
 * at its first statement, holding nothing, and a transaction holding inventory
 * rows never waits for a key, so keys add no cycle to the goods-id lock order.
 */

export type StockRequestOperation = "SET_STOCK" | "ADJUST_STOCK" | "BATCH_SET_STOCKS";

export interface StockRequest {
  requestId: string;
  operation: StockRequestOperation;
  /**
   * The validated input (parsed ids and numbers, trimmed reason, batch items in
   * the caller's order) and the actor: what a repeat must match to be one.
   */
  input: Record<string, unknown>;
}

/** The request to run once, or null when the caller sent no requestId. */
export const stockRequest = (
  requestId: string | null,
  operation: StockRequestOperation,
  input: Record<string, unknown>,
): StockRequest | null => (requestId === null ? null : { requestId, operation, input });

/** What stock_request.result holds: the Inventory rows as returned, `updatedAt` as an ISO string. */
type StoredRow = Omit<InventoryRow, "updatedAt"> & { updatedAt: string };

/**
 * Runs `change` once per request: the first time in a transaction that also
 * claims the key and stores the answer; any repeat returns that answer. Without
 * a request, `change` runs on `db.sql` as it always did (e.g. adjustStock's one
 * autocommitted statement).
 */
export async function runOnce(
  db: InventoryDb,
  request: StockRequest | null,
  change: (sql: SqlClient) => Promise<InventoryRow[]>,
): Promise<InventoryRow[]> {
  if (!request) return change(db.sql);
  const input = JSON.stringify(request.input);
  return db.sql.transaction(async (tx) => {
    const [claimed] = await tx.query(
      `INSERT INTO stock_request (request_id, operation, input) VALUES ($1, $2, $3::jsonb)
       ON CONFLICT (request_id) DO NOTHING RETURNING 1`,
      [request.requestId, request.operation, input],
    );
    if (!claimed) return replay(tx, request, input);
    const rows = await change(tx);
    // One more round trip with the rows locked; admin writes are rare enough for that.
    await tx.query("UPDATE stock_request SET result = $2::jsonb WHERE request_id = $1", [
      request.requestId,
      JSON.stringify(rows),
    ]);
    return rows;
  });
}

/** The key is already recorded: the stored answer if this is the same request, else IDEMPOTENCY_CONFLICT. */
async function replay(tx: SqlClient, request: StockRequest, input: string): Promise<InventoryRow[]> {
  // jsonb equality ignores key order and formatting, not values or array order.
  const [recorded] = await tx.query<{ same: boolean; result: StoredRow[] | null }>(
    "SELECT operation = $2 AND input = $3::jsonb AS same, result FROM stock_request WHERE request_id = $1",
    [request.requestId, request.operation, input],
  );
  if (!recorded?.result) throw new Error(`stock_request ${request.requestId} conflicted but has no result`);
  if (!recorded.same) throw idempotencyConflict(request.requestId);
  return recorded.result.map((row) => ({ ...row, updatedAt: new Date(row.updatedAt) }));
}

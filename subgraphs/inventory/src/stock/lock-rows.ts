import type { SqlClient } from "@emshop/db/sql-client";

/**
 * Locks the inventory rows of these goods (those that exist) for the rest of
 * the transaction, in ascending goods-id order, and returns `columns` of them
 * in that order. It is the one lock order of every writer that changes several
 * rows (sellStock, rebackStock, setStock/batchSetStocks): two writers then
 * always wait for rows in the same order, so no cycle, no deadlock, can form.
 * A multi-row UPDATE … FROM joins in whatever order its plan picks, so it must
 * not be the statement that takes the locks.
 */
export function lockInventoryRows<Row = { goods_id: number }>(
  tx: SqlClient,
  goodsIds: readonly number[],
  columns = "goods_id",
): Promise<Row[]> {
  return tx.query<Row>(
    `SELECT ${columns} FROM inventory WHERE goods_id = ANY($1::int[]) ORDER BY goods_id FOR UPDATE`,
    [goodsIds],
  );
}

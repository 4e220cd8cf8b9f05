import type { SqlClient } from "@emshop/db/sql-client";

/**
 * Everything that must hold between inventory and its ledger, as a list of
 * violations (empty when consistent):
 *  - per goods, the deltas add up to the current stocks, and there are no
 *    movements of goods without a row;
 *  - per goods in id order, each movement's stocks_after is the running sum of
 *    deltas and versions strictly increase: movements are written while the row
 *    is locked, so any lost update or unrecorded change breaks the chain.
 */
export async function ledgerViolations(sql: SqlClient): Promise<string[]> {
  const sums = await sql.query<{ goods_id: number; stocks: number | null; ledger: string | null }>(
    `SELECT coalesce(i.goods_id, m.goods_id) AS goods_id, i.stocks, m.ledger::text AS ledger
     FROM inventory i
     FULL JOIN (SELECT goods_id, sum(delta) AS ledger FROM stock_movement GROUP BY goods_id) m USING (goods_id)
     WHERE i.stocks IS DISTINCT FROM coalesce(m.ledger, 0) OR i.goods_id IS NULL`,
  );
  const chains = await sql.query<{ id: string; goods_id: number }>(
    `SELECT id::text AS id, goods_id FROM (
       SELECT id, goods_id, stocks_after, version_after,
              sum(delta) OVER (PARTITION BY goods_id ORDER BY id) AS running,
              lag(version_after) OVER (PARTITION BY goods_id ORDER BY id) AS previous_version
       FROM stock_movement
     ) m
     WHERE stocks_after <> running OR version_after <= previous_version OR stocks_after < 0`,
  );
  return [
    ...sums.map((row) => `goods ${row.goods_id}: stocks ${row.stocks} but the ledger sums to ${row.ledger ?? 0}`),
    ...chains.map((row) => `goods ${row.goods_id}: movement ${row.id} breaks the running sum or the version order`),
  ];
}

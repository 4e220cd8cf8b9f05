import type { SqlClient } from "@emshop/db/sql-client";

/**
 * Everything that must hold between inventory, its holds and its ledger, as a
 * list of violations (empty when consistent). One check for the tests, the
 * emshop import's --verify and any operator (README "Checkout holds"):
 *  - per goods, the deltas add up to the stocks on hand, the held deltas to
 *    the stored held units, and those equal the items of HELD holds
 *    (stock_hold); no movements of goods without a row;
 *  - stock_hold rows exist exactly for holds whose status is HELD, with their
 *    recorded items and expiry;
 *  - per goods in id order, each movement's stocks_after and held_after are
 *    the running sums and versions strictly increase: movements are written
 *    while the row is locked, so any lost update or unrecorded change breaks
 *    the chain; and nothing is ever oversold (0 <= held <= stocks after each).
 */
export async function ledgerViolations(sql: SqlClient): Promise<string[]> {
  const sums = await sql.query<{ goods_id: number; stocks: number | null; ledger: string | null; why: string }>(
    `SELECT coalesce(i.goods_id, m.goods_id, h.goods_id) AS goods_id, i.stocks, m.ledger::text AS ledger,
            concat_ws('; ',
              CASE WHEN i.goods_id IS NULL THEN 'movements or holds without an inventory row' END,
              CASE WHEN i.stocks IS DISTINCT FROM coalesce(m.ledger, 0)
                THEN 'stocks ' || coalesce(i.stocks::text, 'none') || ' but the ledger sums to ' || coalesce(m.ledger, 0) END,
              CASE WHEN i.held IS DISTINCT FROM coalesce(m.held_ledger, 0)
                THEN 'held ' || coalesce(i.held::text, 'none') || ' but the held deltas sum to ' || coalesce(m.held_ledger, 0) END,
              CASE WHEN i.held IS DISTINCT FROM coalesce(h.held, 0)
                THEN 'held ' || coalesce(i.held::text, 'none') || ' but HELD holds hold ' || coalesce(h.held, 0) END
            ) AS why
     FROM inventory i
     FULL JOIN (SELECT goods_id, sum(delta) AS ledger, sum(held_delta) AS held_ledger
                FROM stock_movement GROUP BY goods_id) m USING (goods_id)
     FULL JOIN (SELECT goods_id, sum(num) AS held FROM stock_hold GROUP BY goods_id) h
       ON h.goods_id = coalesce(i.goods_id, m.goods_id)
     WHERE i.goods_id IS NULL
        OR i.stocks IS DISTINCT FROM coalesce(m.ledger, 0)
        OR i.held IS DISTINCT FROM coalesce(m.held_ledger, 0)
        OR i.held IS DISTINCT FROM coalesce(h.held, 0)`,
  );
  const holds = await sql.query<{ order_sn: string }>(
    `SELECT s.order_sn FROM stock_sell s
     LEFT JOIN (SELECT order_sn, jsonb_agg(jsonb_build_object('goodsId', goods_id, 'num', num) ORDER BY goods_id) AS items,
                       min(expires_at) AS first_expiry, max(expires_at) AS last_expiry
                FROM stock_hold GROUP BY order_sn) h USING (order_sn)
     WHERE (s.status = 'HELD') <> (h.order_sn IS NOT NULL)
        OR (s.status = 'HELD' AND (h.items <> s.items OR h.first_expiry <> s.expires_at OR h.last_expiry <> s.expires_at))
     UNION ALL
     SELECT DISTINCT h.order_sn FROM stock_hold h LEFT JOIN stock_sell s USING (order_sn) WHERE s.order_sn IS NULL`,
  );
  const chains = await sql.query<{ id: string; goods_id: number }>(
    `SELECT id::text AS id, goods_id FROM (
       SELECT id, goods_id, stocks_after, held_after, version_after,
              sum(delta) OVER (PARTITION BY goods_id ORDER BY id) AS running,
              sum(held_delta) OVER (PARTITION BY goods_id ORDER BY id) AS running_held,
              lag(version_after) OVER (PARTITION BY goods_id ORDER BY id) AS previous_version
       FROM stock_movement
     ) m
     WHERE stocks_after <> running OR held_after <> running_held OR version_after <= previous_version
        OR stocks_after < 0 OR held_after < 0 OR held_after > stocks_after`,
  );
  return [
    ...sums.map((row) => `goods ${row.goods_id}: ${row.why}`),
    ...holds.map((row) => `order ${row.order_sn}: its stock_hold rows do not match its status, items or expiry`),
    ...chains.map((row) => `goods ${row.goods_id}: movement ${row.id} breaks the running sums or the version order`),
  ];
}

import { ledgerInsert } from "./ledger";
import { STOCK_SELL_COLUMNS } from "./stock-sell-row";

/*
 * The statements of a hold's life (./holds.ts). Each is one statement with
 * its ledger rows (data-modifying CTEs), run while the goods' inventory rows
 * are locked, so change and ledger commit together.
 *
 * The conditions are on the inventory row's own columns (stocks - held >= num):
 * under READ COMMITTED PostgreSQL re-checks those against the latest row
 * version when it had to wait, which a sub-select over stock_hold would not be.
 */

/** Takes the items into `held` if every one is available; claims the orderSn as HELD. */
export const HOLD_SQL = `
  WITH wanted AS (
    SELECT * FROM unnest($1::int[], $2::int[]) AS t(goods_id, num)
  ), updated AS (
    UPDATE inventory i SET held = i.held + w.num, version = i.version + 1, updated_at = CURRENT_TIMESTAMP
    FROM wanted w WHERE i.goods_id = w.goods_id AND i.stocks - i.held >= w.num
    RETURNING i.goods_id, i.stocks, i.held, i.version, 0 AS delta, w.num AS held_delta
  ), claimed AS (
    INSERT INTO stock_sell (order_sn, status, items, expires_at)
    SELECT $3, 'HELD', $4::jsonb, $7 WHERE (SELECT count(*) FROM updated) = $5
    RETURNING ${STOCK_SELL_COLUMNS}
  ), holds AS (
    INSERT INTO stock_hold (order_sn, goods_id, num, expires_at)
    SELECT $3, goods_id, held_delta, $7 FROM updated WHERE EXISTS (SELECT 1 FROM claimed)
  ), ledger AS (${ledgerInsert("updated", "HOLD", { orderSn: "$3", actor: "$6", heldDelta: "held_delta" })})
  SELECT * FROM claimed`;

/**
 * Ends a HELD hold ($1) whose condition holds: its held units leave `held`
 * (and, for a confirm, `stocks` too), its stock_hold rows go, and the record
 * takes the new status. Nothing happens when the record is no longer HELD.
 */
function endHoldSql(status: "CONFIRMED" | "RELEASED" | "EXPIRED", condition: string, sells: boolean) {
  const kind = status === "CONFIRMED" ? "CONFIRM" : status === "RELEASED" ? "RELEASE" : "EXPIRE";
  return `
  WITH flipped AS (
    UPDATE stock_sell SET status = '${status}', updated_at = CURRENT_TIMESTAMP
    WHERE order_sn = $1 AND status = 'HELD' AND ${condition}
    RETURNING ${STOCK_SELL_COLUMNS}
  ), gone AS (
    DELETE FROM stock_hold h WHERE h.order_sn = $1 AND EXISTS (SELECT 1 FROM flipped)
    RETURNING h.goods_id, h.num
  ), updated AS (
    UPDATE inventory i
    SET ${sells ? "stocks = i.stocks - g.num, " : ""}held = i.held - g.num, version = i.version + 1, updated_at = CURRENT_TIMESTAMP
    FROM gone g WHERE i.goods_id = g.goods_id
    RETURNING i.goods_id, i.stocks, i.held, i.version, ${sells ? "-g.num" : "0"} AS delta, -g.num AS held_delta
  ), ledger AS (${ledgerInsert("updated", kind, { orderSn: "$1", actor: "$3", heldDelta: "held_delta" })})
  SELECT * FROM flipped`;
}

/** $1 orderSn, $2 now, $3 actor. */
export const CONFIRM_LIVE_SQL = endHoldSql("CONFIRMED", "expires_at > $2", true);
// Any HELD hold, expired or not: the caller asked. ($2 is typed but unused, so the three share their parameters.)
export const RELEASE_SQL = endHoldSql("RELEASED", "$2::timestamptz IS NOT NULL", false);
export const EXPIRE_SQL = endHoldSql("EXPIRED", "expires_at <= $2", false);

/**
 * A confirm after its hold expired: the units are taken again, as a sale
 * ($1 orderSn, $2 goods ids, $3 nums, $4 item count, $5 actor), if every one
 * is still available; the EXPIRED record becomes CONFIRMED.
 */
export const CONFIRM_EXPIRED_SQL = `
  WITH wanted AS (
    SELECT * FROM unnest($2::int[], $3::int[]) AS t(goods_id, num)
  ), updated AS (
    UPDATE inventory i SET stocks = i.stocks - w.num, version = i.version + 1, updated_at = CURRENT_TIMESTAMP
    FROM wanted w WHERE i.goods_id = w.goods_id AND i.stocks - i.held >= w.num
    RETURNING i.goods_id, i.stocks, i.held, i.version, -w.num AS delta
  ), flipped AS (
    UPDATE stock_sell SET status = 'CONFIRMED', updated_at = CURRENT_TIMESTAMP
    WHERE order_sn = $1 AND status = 'EXPIRED' AND (SELECT count(*) FROM updated) = $4
    RETURNING ${STOCK_SELL_COLUMNS}
  ), ledger AS (${ledgerInsert("updated", "CONFIRM", { orderSn: "$1", actor: "$5" })})
  SELECT * FROM flipped`;

/** Units held by holds still live at $2, per goods of $1: what reads and error messages subtract. */
export const LIVE_HELD_SQL = `
  SELECT goods_id AS "goodsId", sum(num)::int AS held FROM stock_hold
  WHERE goods_id = ANY($1::int[]) AND expires_at > $2 GROUP BY goods_id`;

/**
 * The sweeper's batch ($1 candidate orderSns, $2 the goods ids it could lock,
 * $3 now, $4 actor): every candidate still HELD and expired whose goods are all
 * locked ends as EXPIRED in one statement. The ledger gets one EXPIRE row per
 * goods for the whole batch (a row's version moves once per statement), its
 * reason counting the holds; each order's own record says EXPIRED.
 */
export const SWEEP_SQL = `
  WITH eligible AS (
    SELECT order_sn FROM stock_hold WHERE order_sn = ANY($1::text[])
    GROUP BY order_sn HAVING bool_and(goods_id = ANY($2::int[]))
  ), flipped AS (
    UPDATE stock_sell SET status = 'EXPIRED', updated_at = CURRENT_TIMESTAMP
    WHERE order_sn IN (SELECT order_sn FROM eligible) AND status = 'HELD' AND expires_at <= $3
    RETURNING order_sn
  ), gone AS (
    DELETE FROM stock_hold h USING flipped f WHERE h.order_sn = f.order_sn
    RETURNING h.goods_id, h.num
  ), per_goods AS (
    SELECT goods_id, sum(num)::int AS num, count(*)::int AS holds FROM gone GROUP BY goods_id
  ), updated AS (
    UPDATE inventory i SET held = i.held - p.num, version = i.version + 1, updated_at = CURRENT_TIMESTAMP
    FROM per_goods p WHERE i.goods_id = p.goods_id
    RETURNING i.goods_id, i.stocks, i.held, i.version, 0 AS delta, -p.num AS held_delta, p.holds
  ), ledger AS (${ledgerInsert("updated", "EXPIRE", {
    reason: "(holds || ' expired hold(s), ended by the sweeper')",
    actor: "$4",
    heldDelta: "held_delta",
  })})
  SELECT count(*)::int AS ended FROM flipped`;

import type { InventoryDb } from "@emshop/db/inventory";
import { markApplied } from "./applied";
import { ledgerInsert } from "./ledger";
import { lockInventoryRows } from "./lock-rows";
import { findStockSell, recordCancelled, STOCK_SELL_COLUMNS, type StockSellRow } from "./stock-sell-row";

/*
 * rebackStock: the saga's compensation for sellStock, applied at most once.
 *
 * - Never sold: the orderSn is recorded as CANCELLED (an "empty rollback"), so a
 *   sellStock arriving late is refused instead of taking stock nobody returns.
 * - SOLD: the status flips to RETURNED and exactly the recorded items go back,
 *   in one transaction. The flip is conditional (status = 'SOLD'), so of two
 *   concurrent rebacks only the first gives anything back.
 * - RETURNED or CANCELLED already: nothing more happens; the record is returned.
 *
 * Lock order as in sellStock: the inventory rows (ascending goods id) before the
 * stock_sell row. The items of a SOLD record never change, so they can be read
 * before anything is locked.
 */
const RETURN_SQL = `
  WITH flipped AS (
    UPDATE stock_sell SET status = 'RETURNED', updated_at = CURRENT_TIMESTAMP
    WHERE order_sn = $1 AND status IN ('SOLD', 'CONFIRMED')
    RETURNING ${STOCK_SELL_COLUMNS}
  ), given AS (
    SELECT * FROM unnest($2::int[], $3::int[]) AS t(goods_id, num) WHERE EXISTS (SELECT 1 FROM flipped)
  ), upserted AS (
    -- An upsert, so that a row deleted since the sale is recreated: what the order took is never lost.
    INSERT INTO inventory AS i (goods_id, stocks, version)
    SELECT goods_id, num, 1 FROM given ORDER BY goods_id
    ON CONFLICT (goods_id) DO UPDATE
      SET stocks = i.stocks + excluded.stocks, version = i.version + 1, updated_at = CURRENT_TIMESTAMP
    RETURNING i.goods_id, i.stocks, i.held, i.version
  ), updated AS (
    SELECT u.goods_id, u.stocks, u.held, u.version, g.num AS delta FROM upserted u JOIN given g USING (goods_id)
  ), ledger AS (${ledgerInsert("updated", "REBACK", { orderSn: "$1", actor: "$4" })})
  SELECT * FROM flipped`;

export async function rebackStock(db: InventoryDb, orderSn: string, actor: string | null): Promise<StockSellRow> {
  // At most two rounds: the second only when a sell or reback recorded the orderSn meanwhile.
  for (let round = 0; ; round++) {
    const recorded = await findStockSell(db.sql, orderSn);
    if (!recorded) {
      const cancelled = await recordCancelled(db.sql, orderSn);
      if (cancelled) return cancelled;
      if (round > 0) throw new Error(`stock_sell ${orderSn} conflicted but cannot be read`);
      continue;
    }
    // A confirmed hold is a sale like any other: it is returned the same way.
    if (recorded.status !== "SOLD" && recorded.status !== "CONFIRMED") return recorded;
    const goodsIds = recorded.items.map((item) => item.goodsId);
    const [returned] = await db.sql.transaction(async (tx) => {
      await lockInventoryRows(tx, goodsIds);
      return tx.query<StockSellRow>(RETURN_SQL, [orderSn, goodsIds, recorded.items.map((item) => item.num), actor]);
    });
    if (returned) return markApplied(returned);
    // Not flipped: a concurrent reback returned the items first.
    return (await findStockSell(db.sql, orderSn)) as StockSellRow;
  }
}

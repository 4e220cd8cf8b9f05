import type { InventoryDb } from "@emshop/db/inventory";
import { markApplied } from "./applied";
import { heldNotSold, insufficientStock, orderCancelled, orderConflict } from "./errors";
import { reclaimExpired, shortages } from "./holds";
import { ledgerInsert } from "./ledger";
import { lockInventoryRows } from "./lock-rows";
import { findStockSell, STOCK_SELL_COLUMNS, type StockSellRow, sameItems } from "./stock-sell-row";
import type { OrderItem } from "./validate";

/*
 * sellStock: deducts all of an order's items or none, once per orderSn.
 *
 * Lock order, the same for every writer: inventory rows by ascending goods id,
 * then the stock_sell row. So the decrement comes first and the order is claimed
 * last, in the same statement, by a plain INSERT: if the orderSn is already
 * recorded (a retry, a concurrent duplicate that committed first, an earlier
 * empty rollback) the unique violation aborts the whole statement, decrements
 * and ledger rows included, and the record answers instead. A transaction that
 * holds a stock_sell row never waits for anything afterwards, so no cycle forms.
 *
 * The decrement is conditional (stocks >= num) and PostgreSQL re-checks it
 * against the latest row version when it had to wait (READ COMMITTED), so
 * stock never goes negative. A one-item order (the common, hot case) is a single
 * autocommitted statement: the row lock is held only while the server runs it,
 * never across a round trip to this process.
 */
export const SELL_SQL = `
  WITH wanted AS (
    SELECT * FROM unnest($1::int[], $2::int[]) AS t(goods_id, num)
  ), updated AS (
    UPDATE inventory i SET stocks = i.stocks - w.num, version = i.version + 1, updated_at = CURRENT_TIMESTAMP
    FROM wanted w WHERE i.goods_id = w.goods_id AND i.stocks - i.held >= w.num
    RETURNING i.goods_id, i.stocks, i.held, i.version, -w.num AS delta
  ), claimed AS (
    INSERT INTO stock_sell (order_sn, status, items)
    SELECT $3, 'SOLD', $4::jsonb WHERE (SELECT count(*) FROM updated) = $5
    RETURNING ${STOCK_SELL_COLUMNS}
  ), ledger AS (${ledgerInsert("updated", "SELL", { orderSn: "$3", actor: "$6" })})
  SELECT * FROM claimed`;

/** Thrown inside the multi-item transaction to roll back a partial decrement. */
const NOT_ALL_TAKEN = Symbol("not all items were in stock");

const isDuplicateOrder = (error: unknown) =>
  (error as { code?: string }).code === "23505" &&
  [undefined, "stock_sell_pkey"].includes((error as { constraint?: string }).constraint);

export async function sellStock(
  db: InventoryDb,
  orderSn: string,
  items: OrderItem[],
  actor: string | null,
  now: Date = new Date(),
): Promise<StockSellRow> {
  const goodsIds = items.map((item) => item.goodsId);
  const params = [goodsIds, items.map((item) => item.num), orderSn, JSON.stringify(items), items.length, actor];
  let duplicate = false;
  const take = async (): Promise<StockSellRow | null> => {
    try {
      const [sold] =
        items.length === 1
          ? await db.sql.query<StockSellRow>(SELL_SQL, params)
          : await db.sql.transaction(async (tx) => {
              // Several rows: lock them in goods-id order first; the UPDATE's join may visit them in any order.
              await lockInventoryRows(tx, goodsIds);
              const rows = await tx.query<StockSellRow>(SELL_SQL, params);
              if (rows.length === 0) throw NOT_ALL_TAKEN;
              return rows;
            });
      return sold ?? null;
    } catch (error) {
      if (error === NOT_ALL_TAKEN) return null;
      if (!isDuplicateOrder(error)) throw error;
      duplicate = true;
      return null;
    }
  };
  // Short of stock while expired holds still count in `held`: they are ended first (./holds.ts).
  const sold = await take();
  if (sold) return markApplied(sold);
  if (!duplicate && (await reclaimExpired(db, goodsIds, now)) > 0) {
    const retried = await take();
    if (retried) return markApplied(retried);
  }
  // Nothing was taken: the orderSn is already recorded, or some item lacks stock.
  const recorded = await recordedOrder(db, orderSn);
  if (recorded) return replaySell(recorded, items);
  throw insufficientStock(await shortages(db.sql, items, now));
}

/** A sentinel that rolls back the probe below. */
const NOT_RECORDED = Symbol("no record of this orderSn");

/**
 * The record of an orderSn, waiting for a duplicate still in flight: a plain
 * SELECT cannot see an uncommitted duplicate, but an INSERT of the same key waits
 * for it to commit or roll back. The probe row itself is always rolled back.
 */
async function recordedOrder(db: InventoryDb, orderSn: string): Promise<StockSellRow | null> {
  try {
    await db.sql.transaction(async (tx) => {
      const [probe] = await tx.query(
        "INSERT INTO stock_sell (order_sn, status) VALUES ($1, 'SOLD') ON CONFLICT (order_sn) DO NOTHING RETURNING 1",
        [orderSn],
      );
      if (probe) throw NOT_RECORDED;
    });
  } catch (error) {
    if (error === NOT_RECORDED) return null;
    throw error;
  }
  return findStockSell(db.sql, orderSn);
}

/** The orderSn is already recorded: answer from the record, deduct nothing (the group commit answers so too). */
export function replaySell(recorded: StockSellRow, items: OrderItem[]): StockSellRow {
  if (recorded.status === "CANCELLED") throw orderCancelled(recorded.orderSn);
  if (recorded.expiresAt !== null) throw heldNotSold(recorded.orderSn);
  if (!sameItems(recorded.items, items)) throw orderConflict(recorded.orderSn);
  return recorded;
}

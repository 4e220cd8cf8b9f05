import type { InventoryDb } from "@emshop/db/inventory";
import type { SqlClient } from "@emshop/db/sql-client";
import { markApplied } from "./applied";
import {
  holdExpired,
  holdNotFound,
  holdReleased,
  insufficientStock,
  notAHold,
  orderCancelled,
  orderConflict,
  type Shortage,
} from "./errors";
import { CONFIRM_EXPIRED_SQL, CONFIRM_LIVE_SQL, EXPIRE_SQL, HOLD_SQL, LIVE_HELD_SQL, RELEASE_SQL } from "./hold-sql";
import { lockInventoryRows } from "./lock-rows";
import { findStockSell, recordCancelled, type StockSellRow, sameItems } from "./stock-sell-row";
import type { OrderItem } from "./validate";

/*
 * Checkout holds: Try (holdStock), Confirm (confirmHold), Cancel (releaseHold)
 * per orderSn, each idempotent, on the one stock_sell row per orderSn.
 *
 * Lock order as in sellStock: inventory rows by ascending goods id, then the
 * stock_sell row. A hold past its expiry stops counting at once: reads subtract
 * only live holds (LIVE_HELD_SQL), and a write that finds too little available
 * first ends the expired holds on its goods (reclaimExpired) and tries once more,
 * so nothing waits for the sweeper (./hold-sweeper.ts), which only catches up.
 */

/** Now, as the hold code sees it: injectable, so tests move time instead of sleeping. */
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

const NOT_ALL_TAKEN = Symbol("not all items were available");

const isDuplicateOrder = (error: unknown) =>
  (error as { code?: string }).code === "23505" &&
  [undefined, "stock_sell_pkey"].includes((error as { constraint?: string }).constraint);

/**
 * Runs `take` (a statement that claims nothing when some item is short), and
 * when it took nothing because of holds that have expired, ends those and runs
 * it once more. Returns the row taken, or null.
 */
export async function withExpiredReclaimed<Row>(
  db: InventoryDb,
  goodsIds: number[],
  now: Date,
  take: () => Promise<Row | null>,
): Promise<Row | null> {
  const first = await take();
  if (first) return first;
  return (await reclaimExpired(db, goodsIds, now)) > 0 ? take() : null;
}

/** Ends every expired HELD hold on these goods (waiting for their rows like any writer); returns how many. */
export async function reclaimExpired(db: InventoryDb, goodsIds: number[], now: Date): Promise<number> {
  const expired = await db.sql.query<{ orderSn: string }>(
    `SELECT DISTINCT order_sn AS "orderSn" FROM stock_hold WHERE goods_id = ANY($1::int[]) AND expires_at <= $2`,
    [goodsIds, now],
  );
  let ended = 0;
  for (const { orderSn } of expired) if (await expireHold(db.sql, orderSn, now, null)) ended++;
  return ended;
}

/** The goods ids of a HELD hold's items (they never change while it is HELD). */
async function heldGoodsIds(sql: SqlClient, orderSn: string): Promise<number[]> {
  const rows = await sql.query<{ goodsId: number }>(
    `SELECT goods_id AS "goodsId" FROM stock_hold WHERE order_sn = $1 ORDER BY goods_id`,
    [orderSn],
  );
  return rows.map((row) => row.goodsId);
}

/** Expires one HELD hold past its expiry; false when it is not (any more). */
export async function expireHold(sql: SqlClient, orderSn: string, now: Date, actor: string | null): Promise<boolean> {
  const goodsIds = await heldGoodsIds(sql, orderSn);
  const [expired] = await sql.transaction(async (tx) => {
    await lockInventoryRows(tx, goodsIds);
    return tx.query(EXPIRE_SQL, [orderSn, now, actor]);
  });
  return expired !== undefined;
}

export interface HoldRequest {
  orderSn: string;
  items: OrderItem[];
  expiresAt: Date;
}

/** holdStock: every item against available (on hand − live holds), or none; once per orderSn. */
export async function holdStock(
  db: InventoryDb,
  hold: HoldRequest,
  actor: string | null,
  now: Date,
): Promise<StockSellRow> {
  const { orderSn, items } = hold;
  const goodsIds = items.map((item) => item.goodsId);
  const params = [
    goodsIds,
    items.map((item) => item.num),
    orderSn,
    JSON.stringify(items),
    items.length,
    actor,
    hold.expiresAt,
  ];
  const take = async (): Promise<StockSellRow | null> => {
    try {
      const [held] =
        items.length === 1
          ? await db.sql.query<StockSellRow>(HOLD_SQL, params)
          : await db.sql.transaction(async (tx) => {
              await lockInventoryRows(tx, goodsIds);
              const rows = await tx.query<StockSellRow>(HOLD_SQL, params);
              if (rows.length === 0) throw NOT_ALL_TAKEN;
              return rows;
            });
      return held ?? null;
    } catch (error) {
      if (error === NOT_ALL_TAKEN) return null;
      if (isDuplicateOrder(error)) return null;
      throw error;
    }
  };
  const recordedFirst = await findStockSell(db.sql, orderSn);
  if (recordedFirst) return replayHold(recordedFirst, items);
  const held = await withExpiredReclaimed(db, goodsIds, now, take);
  if (held) return markApplied(held);
  const recorded = await findStockSell(db.sql, orderSn);
  if (recorded) return replayHold(recorded, items);
  throw insufficientStock(await shortages(db.sql, items, now));
}

/** A repeated holdStock: the record answers; a release that came first refuses it (anti-hang). */
export function replayHold(recorded: StockSellRow, items: OrderItem[]): StockSellRow {
  if (recorded.status === "CANCELLED") throw orderCancelled(recorded.orderSn);
  if (!sameItems(recorded.items, items)) throw orderConflict(recorded.orderSn);
  if (recorded.expiresAt === null) throw notAHold(recorded.orderSn);
  return recorded;
}

/** What each short item asked for and what is available now (on hand − live holds). */
export async function shortages(sql: SqlClient, items: OrderItem[], now: Date): Promise<Shortage[]> {
  const goodsIds = items.map((item) => item.goodsId);
  const rows = await sql.query<{ goodsId: number; stocks: number }>(
    `SELECT goods_id AS "goodsId", stocks FROM inventory WHERE goods_id = ANY($1::int[])`,
    [goodsIds],
  );
  const heldBy = await liveHeld(sql, goodsIds, now);
  const available = new Map(rows.map((row) => [row.goodsId, row.stocks - (heldBy.get(row.goodsId) ?? 0)]));
  return items
    .filter((item) => (available.get(item.goodsId) ?? 0) < item.num)
    .map((item) => ({ goodsId: item.goodsId, requested: item.num, available: available.get(item.goodsId) ?? null }));
}

/**
 * confirmHold: the hold becomes a sale, exactly once. A live hold's units move
 * from held to sold; an expired one's are taken again if still available,
 * else HOLD_EXPIRED. A repeat returns the record.
 */
export async function confirmHold(
  db: InventoryDb,
  orderSn: string,
  actor: string | null,
  now: Date,
): Promise<StockSellRow> {
  // At most a few rounds: another round only when a concurrent call moved the record on.
  for (let round = 0; round < 5; round++) {
    const recorded = await findStockSell(db.sql, orderSn);
    if (!recorded) throw holdNotFound(orderSn);
    if (recorded.expiresAt === null && recorded.status !== "CANCELLED") throw notAHold(orderSn);
    switch (recorded.status) {
      case "CONFIRMED":
      case "RETURNED":
        return recorded;
      case "RELEASED":
      case "CANCELLED":
        throw holdReleased(orderSn, recorded.status);
      case "HELD": {
        if ((recorded.expiresAt as Date) <= now) {
          await expireHold(db.sql, orderSn, now, actor);
          continue;
        }
        const goodsIds = recorded.items.map((item) => item.goodsId);
        const [confirmed] = await db.sql.transaction(async (tx) => {
          await lockInventoryRows(tx, goodsIds);
          return tx.query<StockSellRow>(CONFIRM_LIVE_SQL, [orderSn, now, actor]);
        });
        if (confirmed) return markApplied(confirmed);
        continue;
      }
      case "EXPIRED": {
        const confirmed = await withExpiredReclaimed(
          db,
          recorded.items.map((item) => item.goodsId),
          now,
          () => retake(db, recorded, actor),
        );
        if (confirmed) return markApplied(confirmed);
        const now2 = await findStockSell(db.sql, orderSn);
        if (now2?.status === "EXPIRED") throw holdExpired(orderSn);
        continue;
      }
      default:
        throw notAHold(orderSn);
    }
  }
  throw new Error(`stock_sell ${orderSn} kept changing while it was confirmed`);
}

/** An expired hold's items taken again as a sale, all or none; null when some is short or the record moved on. */
async function retake(db: InventoryDb, recorded: StockSellRow, actor: string | null): Promise<StockSellRow | null> {
  const goodsIds = recorded.items.map((item) => item.goodsId);
  try {
    const [row] = await db.sql.transaction(async (tx) => {
      await lockInventoryRows(tx, goodsIds);
      const rows = await tx.query<StockSellRow>(CONFIRM_EXPIRED_SQL, [
        recorded.orderSn,
        goodsIds,
        recorded.items.map((item) => item.num),
        recorded.items.length,
        actor,
      ]);
      if (rows.length === 0) throw NOT_ALL_TAKEN;
      return rows;
    });
    return row ?? null;
  } catch (error) {
    if (error === NOT_ALL_TAKEN) return null;
    throw error;
  }
}

/**
 * releaseHold: gives a HELD hold's units back, once. Before any hold it
 * records the orderSn as CANCELLED, so a late holdStock is refused (empty
 * rollback, anti-hang). After a confirm, a sale or an earlier end it returns
 * the record and gives nothing back (rebackStock returns sold units).
 */
export async function releaseHold(
  db: InventoryDb,
  orderSn: string,
  actor: string | null,
  now: Date,
): Promise<StockSellRow> {
  for (let round = 0; round < 5; round++) {
    const recorded = await findStockSell(db.sql, orderSn);
    if (!recorded) {
      const cancelled = await recordCancelled(db.sql, orderSn);
      if (cancelled) return cancelled;
      continue;
    }
    if (recorded.status !== "HELD") return recorded;
    const goodsIds = recorded.items.map((item) => item.goodsId);
    const [released] = await db.sql.transaction(async (tx) => {
      await lockInventoryRows(tx, goodsIds);
      return tx.query<StockSellRow>(RELEASE_SQL, [orderSn, now, actor]);
    });
    if (released) return markApplied(released);
  }
  throw new Error(`stock_sell ${orderSn} kept changing while it was released`);
}

/** Units held by live holds, per goods (0 for goods without any). */
export async function liveHeld(sql: SqlClient, goodsIds: readonly number[], now: Date): Promise<Map<number, number>> {
  const rows = await sql.query<{ goodsId: number; held: number }>(LIVE_HELD_SQL, [goodsIds, now]);
  return new Map(rows.map((row) => [row.goodsId, row.held]));
}

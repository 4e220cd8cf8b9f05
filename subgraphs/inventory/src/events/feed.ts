import { badUserInput, coded } from "@emshop/common/errors";
import {
  END_OF_BATCH,
  type FeedPosition,
  formatCursor,
  parseCursor,
  type StockEvent,
} from "@emshop/common/events/stock-event";
import type { SqlClient } from "@emshop/db/sql-client";
import { type MovementRow, stockEventOf } from "./stock-event-of";

/*
 * The change feed: committed movements in commit order, read from the ledger
 * and the ticker's snapshots alone (migrations/inventory/0006_stock_events.sql).
 * Batch k = the movements visible in tick k's snapshot and not in tick k-1's;
 * batches go in tick order, movements within one by id. A snapshot's visible
 * set never changes, so a batch is closed the moment its tick is written, and a
 * transaction that commits late simply lands in a later batch: nothing is
 * skipped, whatever order ids were taken in.
 */

export const MAX_FEED_PAGE = 1000;
/** Ticks one page looks through at most (a page after a long idle stretch still ends quickly). */
const TICKS_PER_PAGE = 500;

export const CURSOR_EXPIRED = "CURSOR_EXPIRED";

export interface FeedPage {
  items: StockEvent[];
  endCursor: string;
  hasNextPage: boolean;
}

interface TickRow {
  id: string;
  snapshot: string;
  /** No movement of the tick's batch has a higher id (null on ticks older than migration 0007). */
  idBound: string | null;
}

/** xmin and xmax of a pg_snapshot's text form, `xmin:xmax:xip,…`. */
function snapshotBounds(snapshot: string): { xmin: bigint; xmax: bigint } {
  const [xmin = "0", xmax = "0"] = snapshot.split(":");
  return { xmin: BigInt(xmin), xmax: BigInt(xmax) };
}

const MOVEMENT_COLUMNS = `m.id::text AS id, m.goods_id AS "goodsId", m.kind, m.delta, m.stocks_after AS "stocksAfter",
  m.held_delta AS "heldDelta", m.held_after AS "heldAfter", m.order_sn AS "orderSn",
  COALESCE(m.low_stock_threshold, (SELECT default_low_stock_threshold FROM inventory_settings)) AS "lowStockThreshold",
  m.created_at AS "createdAt"`;

/**
 * One tick's batch from its start: the movements visible in its snapshot and
 * not in the previous one, by id. Their transactions lie in [previous xmin,
 * this xmax) (what the txid index reads); the id bound, when the tick has one,
 * trims what commits after the snapshot.
 */
const BATCH_SQL = `
  SELECT ${MOVEMENT_COLUMNS}, $1::text AS "tickId"
  FROM stock_movement m
  WHERE m.txid >= $2 AND m.txid < $3
    AND ($6::bigint IS NULL OR m.id <= $6) AND m.id > $8
    AND pg_visible_in_snapshot(m.txid::text::xid8, $4::pg_snapshot)
    AND NOT pg_visible_in_snapshot(m.txid::text::xid8, $5::pg_snapshot)
  ORDER BY m.id
  LIMIT $7`;

/**
 * The rest of a batch behind a cursor inside it, by primary key from the
 * cursor up to the tick's id bound: O(page) however big the batch is, where
 * BATCH_SQL would read the whole batch again for every page of it. The
 * visibility test alone decides membership (no txid range: it would tempt the
 * planner into reading the batch through the txid index).
 */
const BATCH_REST_SQL = `
  SELECT ${MOVEMENT_COLUMNS}, $1::text AS "tickId"
  FROM stock_movement m
  WHERE m.id > $2 AND m.id <= $3
    AND pg_visible_in_snapshot(m.txid::text::xid8, $4::pg_snapshot)
    AND NOT pg_visible_in_snapshot(m.txid::text::xid8, $5::pg_snapshot)
  ORDER BY m.id
  LIMIT $6`;

/** The movements of `tick`'s batch with ids above `afterId` (0: all of it), at most `limit`. */
function readBatch(sql: SqlClient, tick: TickRow, previous: TickRow, afterId: bigint, limit: number) {
  if (afterId > 0n && tick.idBound !== null)
    return sql.query<MovementRow>(BATCH_REST_SQL, [
      tick.id,
      afterId.toString(),
      tick.idBound,
      tick.snapshot,
      previous.snapshot,
      limit,
    ]);
  return sql.query<MovementRow>(BATCH_SQL, [
    tick.id,
    snapshotBounds(previous.snapshot).xmin.toString(),
    snapshotBounds(tick.snapshot).xmax.toString(),
    tick.snapshot,
    previous.snapshot,
    tick.idBound,
    limit,
    afterId.toString(),
  ]);
}

const identities = new WeakMap<SqlClient, Promise<string>>();

/** The identity event ids start with (one per database, see inventory_settings); read once per client. */
export function databaseIdentity(sql: SqlClient): Promise<string> {
  let identity = identities.get(sql);
  if (!identity) {
    identity = sql
      .query<{ identity: string }>("SELECT database_identity::text AS identity FROM inventory_settings")
      .then(([row]) => {
        if (!row) throw new Error("inventory_settings has no row: migrations/inventory/0006 did not run");
        return row.identity;
      });
    identity.catch(() => identities.delete(sql));
    identities.set(sql, identity);
  }
  return identity;
}

/** Where a client with no cursor starts: the oldest batch still retained (the oldest tick's own batch is not). */
async function origin(sql: SqlClient): Promise<FeedPosition> {
  const [row] = await sql.query<{ id: string }>("SELECT min(id)::text AS id FROM stock_event_tick");
  if (!row?.id) throw new Error("stock_event_tick is empty: migrations/inventory/0006 did not run");
  return { tick: BigInt(row.id), movement: END_OF_BATCH };
}

/** The feed's end now: a cursor behind everything ticked so far. */
export async function feedHead(sql: SqlClient): Promise<string> {
  const [row] = await sql.query<{ id: string }>("SELECT max(id)::text AS id FROM stock_event_tick");
  if (!row?.id) throw new Error("stock_event_tick is empty: migrations/inventory/0006 did not run");
  return formatCursor({ tick: BigInt(row.id), movement: END_OF_BATCH });
}

export function parseFeedCursor(after: string): FeedPosition {
  const position = parseCursor(after);
  if (!position) throw badUserInput("after", "is not a cursor of the stock change feed");
  return position;
}

/**
 * The changes after `after` (null: from the oldest retained), at most `first`.
 * Two statements: the ticks in reach, then their movements.
 */
export async function readFeed(
  sql: SqlClient,
  identity: string,
  after: string | FeedPosition | null,
  first: number,
): Promise<FeedPage> {
  if (!Number.isInteger(first) || first < 1 || first > MAX_FEED_PAGE)
    throw badUserInput("first", `must be between 1 and ${MAX_FEED_PAGE}`);
  const position = after === null ? await origin(sql) : typeof after === "string" ? parseFeedCursor(after) : after;
  // The tick before the position's (its snapshot bounds the batch), the position's own, and the ones after it.
  const ticks = await sql.query<TickRow>(
    // Ordered by the column, not by the text alias (which would put tick 10 before tick 9).
    `SELECT t.id::text AS id, t.snapshot, t.id_bound::text AS "idBound" FROM stock_event_tick t
     WHERE t.id >= COALESCE((SELECT max(id) FROM stock_event_tick WHERE id < $1), $1)
     ORDER BY t.id LIMIT $2`,
    [position.tick.toString(), TICKS_PER_PAGE + 2],
  );
  const at = ticks.findIndex((tick) => BigInt(tick.id) === position.tick);
  if (at < 0) throw await unknownTick(sql, position);
  const current = ticks[at] as TickRow;
  // With no tick before it (the feed's origin, or the oldest left by retention) its own batch is not known:
  // a position at its end reads on from the next, one inside it has lost the rest of its batch.
  if (at === 0 && position.movement !== END_OF_BATCH) throw cursorExpired(current.id);
  const reach = ticks.slice(0, at + 1 + TICKS_PER_PAGE);
  const moreTicks = ticks.length > at + 1 + TICKS_PER_PAGE;
  // Batch by batch, each read by itself (a batch is its tick's snapshot minus the one before).
  const items: StockEvent[] = [];
  const inside = position.movement !== END_OF_BATCH;
  for (let index = inside ? at : at + 1; index < reach.length; index++) {
    const tick = reach[index] as TickRow;
    const afterId = index === at ? position.movement : 0n;
    const rows = await readBatch(sql, tick, reach[index - 1] as TickRow, afterId, first - items.length + 1);
    items.push(...rows.map((row) => stockEventOf(row, identity)));
    if (items.length > first) {
      const page = items.slice(0, first);
      return { items: page, endCursor: (page.at(-1) as StockEvent).cursor, hasNextPage: true };
    }
    if (items.length === first) {
      const more = index < reach.length - 1 || moreTicks;
      return { items, endCursor: formatCursor({ tick: BigInt(tick.id), movement: END_OF_BATCH }), hasNextPage: more };
    }
  }
  const last = reach.at(-1) as TickRow;
  return { items, endCursor: formatCursor({ tick: BigInt(last.id), movement: END_OF_BATCH }), hasNextPage: moreTicks };
}

/** A cursor naming no tick: older than retention (CURSOR_EXPIRED) or not from this feed. */
async function unknownTick(sql: SqlClient, position: FeedPosition) {
  const [row] = await sql.query<{ oldest: string | null }>("SELECT min(id)::text AS oldest FROM stock_event_tick");
  if (row?.oldest && position.tick < BigInt(row.oldest)) return cursorExpired(row.oldest);
  return badUserInput("after", "is not a cursor of this stock change feed");
}

const cursorExpired = (oldestTick: string) =>
  coded(
    CURSOR_EXPIRED,
    "the cursor is older than the changes still retained: read the current stock (inventory, goodsList) and resume from stockChangesHead",
    { oldestRetained: formatCursor({ tick: BigInt(oldestTick), movement: END_OF_BATCH }) },
  );

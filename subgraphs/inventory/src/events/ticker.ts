import type { SqlClient } from "@emshop/db/sql-client";

/** The advisory lock key of the ticker: one tick at a time across replicas. */
export const TICKER_LOCK_KEY = 7_311_017;

/**
 * Takes the next tick: the current snapshot, if any movement committed since
 * the last tick. Returns its id, or null (nothing new, or another replica is
 * ticking right now).
 *
 * Two statements on purpose: the lock is taken first, and under READ COMMITTED
 * the INSERT's snapshot is taken after it, so it also sees the tick the
 * previous holder committed; snapshots therefore only grow, tick by tick, which
 * is what makes "visible in k, not in k-1" a partition of the committed movements.
 */
export async function takeTick(sql: SqlClient): Promise<bigint | null> {
  return sql.transaction(async (tx) => {
    const [lock] = await tx.query<{ locked: boolean }>("SELECT pg_try_advisory_xact_lock($1) AS locked", [
      TICKER_LOCK_KEY,
    ]);
    if (!lock?.locked) return null;
    const [tick] = await tx.query<{ id: string }>(
      // The id bound is read while the statement runs, after its snapshot was taken (READ COMMITTED:
      // at statement start), so it is at least every id a movement of this batch could have.
      `INSERT INTO stock_event_tick (snapshot, id_bound)
       SELECT pg_current_snapshot()::text, (SELECT last_value FROM stock_movement_id_seq)
       FROM (SELECT snapshot::pg_snapshot AS snap FROM stock_event_tick ORDER BY id DESC LIMIT 1) AS last
       WHERE EXISTS (
         SELECT 1 FROM stock_movement m
         WHERE m.txid >= pg_snapshot_xmin(last.snap)::text::bigint
           AND NOT pg_visible_in_snapshot(m.txid::text::xid8, last.snap))
       RETURNING id::text AS id`,
    );
    return tick ? BigInt(tick.id) : null;
  });
}

/**
 * Forgets ticks older than the retention, keeping the newest and every tick
 * the relay has not finished (so an outage of the broker longer than the
 * retention loses nothing). The ledger itself is never pruned: it is the audit
 * trail; only the feed's reach back in time ends.
 */
export async function pruneTicks(sql: SqlClient, retentionMs: number, relayStream: string | null): Promise<number> {
  const [row] = await sql.query<{ pruned: number }>(
    `WITH pruned AS (
       DELETE FROM stock_event_tick
       WHERE created_at < CURRENT_TIMESTAMP - make_interval(secs => $1::double precision / 1000)
         AND id < (SELECT max(id) FROM stock_event_tick)
         -- The relay's tick and the one before it (which bounds its batch) stay.
         AND id < COALESCE(
           (SELECT max(t.id) FROM stock_event_tick t, stock_event_relay r WHERE r.stream = $2 AND t.id < r.tick_id),
           (SELECT tick_id FROM stock_event_relay WHERE stream = $2),
           9223372036854775807)
       RETURNING 1)
     SELECT count(*)::int AS pruned FROM pruned`,
    [retentionMs, relayStream],
  );
  return row?.pruned ?? 0;
}

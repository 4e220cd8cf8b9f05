import type { InventoryDb } from "@emshop/db/inventory";
import type { Logger } from "pino";
import type { HoldOptions } from "./hold-options";
import { SWEEP_SQL } from "./hold-sql";

/** The advisory lock key of the sweeper: one replica sweeps at a time. */
export const SWEEPER_LOCK_KEY = 7_311_016;

/**
 * Ends one batch of expired holds; returns how many it ended (0 when another
 * replica holds the sweeper's lock, or nothing has expired).
 *
 * One transaction per batch, under pg_try_advisory_xact_lock: exactly one
 * replica sweeps at a time, and a replica that dies mid-batch releases the lock
 * with its connection, so the next replica's next tick takes over. The
 * sweeper never waits for a lock: holds are picked FOR UPDATE SKIP LOCKED and
 * their inventory rows are locked SKIP LOCKED too, so a hold whose goods are
 * busy selling is left to the next batch; the batch ends in one statement
 * (SWEEP_SQL). A transaction that never waits can
 * be in no deadlock, whatever order it takes rows in, and sells are never
 * queued behind the sweep for longer than one short statement.
 */
export async function sweepExpiredHolds(db: InventoryDb, options: HoldOptions): Promise<number> {
  const now = options.clock();
  return db.sql.transaction(async (tx) => {
    const [lock] = await tx.query<{ locked: boolean }>("SELECT pg_try_advisory_xact_lock($1) AS locked", [
      SWEEPER_LOCK_KEY,
    ]);
    if (!lock?.locked) return 0;
    const due = await tx.query<{ orderSn: string }>(
      `SELECT order_sn AS "orderSn" FROM stock_sell
       WHERE status = 'HELD' AND expires_at <= $1 ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, options.sweepBatchSize],
    );
    if (due.length === 0) return 0;
    const orderSns = due.map((row) => row.orderSn);
    const locked = await tx.query<{ goodsId: number }>(
      `SELECT goods_id AS "goodsId" FROM inventory
       WHERE goods_id IN (SELECT goods_id FROM stock_hold WHERE order_sn = ANY($1::text[]))
       ORDER BY goods_id FOR UPDATE SKIP LOCKED`,
      [orderSns],
    );
    const [result] = await tx.query<{ ended: number }>(SWEEP_SQL, [
      orderSns,
      locked.map((row) => row.goodsId),
      now,
      "hold sweeper",
    ]);
    // Holds whose goods were busy stay HELD (and count for nothing meanwhile) until a later batch.
    return result?.ended ?? 0;
  });
}

/** Runs the sweeper every `sweepIntervalMs` until stopped; batches back to back while they end holds. */
export function startHoldSweeper(db: InventoryDb, options: HoldOptions, logger: Logger) {
  if (options.sweepIntervalMs <= 0) return { stop: async () => {} };
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = async () => {
    try {
      for (;;) {
        const ended = await sweepExpiredHolds(db, options);
        if (ended > 0) logger.info({ ended }, "expired holds ended");
        // On while batches end holds; one that ended none (nothing due, or only busy goods) waits for the next tick.
        if (stopped || ended === 0) break;
      }
    } catch (error) {
      // The next tick tries again; holds past expiry already count for nothing meanwhile.
      logger.warn({ err: error }, "hold sweep failed");
    }
  };
  const timer = setInterval(() => {
    running ??= tick().finally(() => {
      running = undefined;
    });
  }, options.sweepIntervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

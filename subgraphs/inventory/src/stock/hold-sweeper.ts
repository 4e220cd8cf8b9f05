import type { InventoryDb } from "@emshop/db/inventory";
import type { Logger } from "pino";
import type { HoldOptions } from "./hold-options";
import { EXPIRE_SQL } from "./hold-sql";

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
 * busy selling is left to the next batch. A transaction that never waits can
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
    let ended = 0;
    for (const { orderSn } of due) {
      const items = await tx.query<{ goods_id: number }>(
        "SELECT goods_id FROM stock_hold WHERE order_sn = $1 ORDER BY goods_id",
        [orderSn],
      );
      const locked = await tx.query(
        "SELECT goods_id FROM inventory WHERE goods_id = ANY($1::int[]) ORDER BY goods_id FOR UPDATE SKIP LOCKED",
        [items.map((item) => item.goods_id)],
      );
      if (locked.length < items.length) continue;
      const [expired] = await tx.query(EXPIRE_SQL, [orderSn, now, "hold sweeper"]);
      if (expired) ended++;
    }
    return ended;
  });
}

/** Runs the sweeper every `sweepIntervalMs` until stopped; batches back to back while they come full. */
export function startHoldSweeper(db: InventoryDb, options: HoldOptions, logger: Logger) {
  if (options.sweepIntervalMs <= 0) return { stop: async () => {} };
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = async () => {
    try {
      for (;;) {
        const ended = await sweepExpiredHolds(db, options);
        if (ended > 0) logger.info({ ended }, "expired holds ended");
        if (stopped || ended < options.sweepBatchSize) break;
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

import type { Registry } from "@emshop/common/metrics/registry";
import type { SqlClient } from "@emshop/db/sql-client";
import type { Logger } from "pino";
import { databaseIdentity } from "./feed";
import { stockEventMetrics } from "./metrics";
import type { StockEventOptions } from "./options";
import { StockEventRelay } from "./relay";
import { pruneTicks, takeTick } from "./ticker";

/** Retention is applied this often (it deletes by age: no hurry). */
const PRUNE_EVERY_MS = 60_000;

export interface RunningStockEvents {
  /** `{ nats: "up" | "down" }` for the readiness JSON when a relay runs; undefined without NATS. */
  readiness(): { nats: "up" | "down" } | undefined;
  stop(): Promise<void>;
}

/**
 * Every inventory replica runs this loop: tick (one replica at a time, under
 * an advisory lock), then, with NATS configured, relay (one replica at a time,
 * under the lease). Neither ever blocks a stock change: they only read the
 * ledger and write their own tables. When NATS is down the ticks go on, the
 * feed and the subscription keep working from the database, and the relay
 * catches up from its saved cursor once NATS is back.
 */
export async function startStockEvents(
  sql: SqlClient,
  options: StockEventOptions,
  registry: Registry,
  logger: Logger,
): Promise<RunningStockEvents> {
  const identity = await databaseIdentity(sql);
  const natsUrl = options.natsUrl;
  const metrics = stockEventMetrics(registry, sql, { ...options, relaying: natsUrl !== undefined });
  const relay = natsUrl ? new StockEventRelay(sql, identity, { ...options, natsUrl }, metrics, logger) : undefined;
  let lastPrune = 0;
  let lastFailure = "";
  let running: Promise<void> | undefined;
  let stopped = false;
  const round = async () => {
    try {
      await takeTick(sql);
      if (Date.now() - lastPrune >= PRUNE_EVERY_MS) {
        lastPrune = Date.now();
        const pruned = await pruneTicks(sql, options.retentionMs, relay ? options.stream : null);
        if (pruned > 0) logger.info({ pruned }, "stock events: ticks past retention pruned");
      }
    } catch (error) {
      logger.warn({ err: error }, "stock events: tick failed");
    }
    if (!relay || stopped) return;
    try {
      await relay.step();
      lastFailure = "";
    } catch (error) {
      metrics.failed();
      // One line per kind of failure, not one per tick while NATS stays down.
      const message = (error as Error).message;
      if (message !== lastFailure)
        logger.warn({ err: error }, "stock events: relay failed; retrying from its saved cursor");
      lastFailure = message;
    }
  };
  const timer = setInterval(() => {
    running ??= round().finally(() => {
      running = undefined;
    });
  }, options.tickIntervalMs);
  timer.unref();
  return {
    readiness: () => (relay ? { nats: relay.natsUp ? "up" : "down" } : undefined),
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      await relay?.close();
    },
  };
}

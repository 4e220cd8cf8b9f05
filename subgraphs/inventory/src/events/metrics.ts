import { Counter, cachedRead, Gauge, type Registry, readGauge, within } from "@emshop/common/metrics/registry";
import type { SqlClient } from "@emshop/db/sql-client";

export interface StockEventMetrics {
  /** A page went out: `sent` messages acked, `duplicates` of them dropped by the broker as already stored. */
  published(sent: number, duplicates: number): void;
  failed(): void;
  natsUp(up: boolean): void;
  leader(leads: boolean): void;
}

/**
 * The relay's metrics: messages published (stored or dropped as duplicates),
 * failed steps, NATS up, whether this replica relays, and the lag: how old the
 * oldest change is that the broker has not acked yet (0 when caught up), with
 * the configured bound beside it so the alert rule reads the bound too.
 */
export function stockEventMetrics(
  registry: Registry,
  sql: SqlClient,
  options: { stream: string; lagAlertSeconds: number; relaying: boolean },
): StockEventMetrics {
  const published = new Counter({
    name: "stock_events_published_total",
    help: "Stock event messages acked by JetStream, by result (stored, or duplicate: dropped as already stored)",
    labelNames: ["result"] as const,
    registers: [registry],
  });
  const failures = new Counter({
    name: "stock_events_relay_failures_total",
    help: "Relay steps that failed (NATS down, a publish not acked in time, the database unreachable)",
    registers: [registry],
  });
  const up = new Gauge({
    name: "stock_events_nats_up",
    help: "1 while the relay is connected to NATS",
    registers: [registry],
  });
  const leader = new Gauge({
    name: "stock_events_relay_leader",
    help: "1 while this replica holds the relay's lease (one replica relays at a time)",
    registers: [registry],
  });
  if (options.relaying) {
    up.set(0);
    leader.set(0);
    const bound = new Gauge({
      name: "stock_events_relay_lag_bound_seconds",
      help: "STOCK_EVENTS_LAG_ALERT_SECONDS: the relay lag the EmshopStockEventsRelayLagging alert fires at",
      registers: [registry],
    });
    bound.set(options.lagAlertSeconds);
    const lag = cachedRead(async () => {
      const [row] = await within(sql.query<{ lag: number | null }>(RELAY_LAG_SQL, [options.stream]), 1000);
      return row ? (row.lag ?? 0) : undefined;
    }, 1000);
    readGauge(
      registry,
      "stock_events_relay_lag_seconds",
      "Age of the oldest ticked stock change the broker has not acked yet (0: caught up)",
      lag,
    );
  }
  return {
    published: (sent, duplicates) => {
      if (sent > duplicates) published.inc({ result: "stored" }, sent - duplicates);
      if (duplicates > 0) published.inc({ result: "duplicate" }, duplicates);
    },
    failed: () => failures.inc(),
    natsUp: (isUp) => up.set(isUp ? 1 : 0),
    leader: (leads) => leader.set(leads ? 1 : 0),
  };
}

/** The first tick whose batch is not all relayed: the relay's own when it stopped inside it, else the next one. */
const RELAY_LAG_SQL = `
  SELECT EXTRACT(EPOCH FROM CURRENT_TIMESTAMP - t.created_at)::float8 AS lag
  FROM stock_event_relay r
  LEFT JOIN LATERAL (
    SELECT created_at FROM stock_event_tick
    WHERE id > r.tick_id OR (id = r.tick_id AND r.movement_id < 9223372036854775807)
    ORDER BY id LIMIT 1
  ) t ON TRUE
  WHERE r.stream = $1`;

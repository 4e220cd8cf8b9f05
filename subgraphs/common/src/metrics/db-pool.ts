import type { PoolStats } from "@emshop/db/open-database";
import { Gauge, metricOf, type Registry } from "./registry";

/**
 * `db_pool_connections{service, state}` (total, idle, waiting), read from the
 * PostgreSQL pool at scrape time. Embedded PGlite has no pool: no gauge then.
 */
export function dbPoolMetrics(registry: Registry, service: string, poolStats: (() => PoolStats) | undefined) {
  if (!poolStats) return;
  metricOf(
    registry,
    "db_pool_connections",
    () =>
      new Gauge({
        name: "db_pool_connections",
        help: "Connections of the service's PostgreSQL pool: total open, idle, and queries waiting for one",
        labelNames: ["service", "state"] as const,
        registers: [registry],
        collect() {
          const stats = poolStats();
          this.set({ service, state: "total" }, stats.total);
          this.set({ service, state: "idle" }, stats.idle);
          this.set({ service, state: "waiting" }, stats.waiting);
        },
      }),
  );
}

import type { PoolStats } from "@emshop/db/open-database";
import { Counter, Gauge, metricOf, type Registry } from "./registry";

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

/** Which server a statement went to: the primary (`<NAME>_DATABASE_URL`), or a read replica. */
export type DbTarget = "primary" | "replica";

/**
 * `db_statements_total{service, target}`: SQL statements sent to PostgreSQL
 * (Prisma's and raw), by `target` (`primary`, or `replica` for goods' catalog
 * reads with GOODS_DATABASE_REPLICA_URLS). Its rate against
 * graphql_requests_total is the statements per request, the first thing to
 * look at when a subgraph gets slower.
 */
export function dbStatementCounter(registry: Registry, service: string, target: DbTarget = "primary"): () => void {
  const counter = metricOf(
    registry,
    "db_statements_total",
    () =>
      new Counter({
        name: "db_statements_total",
        help: "SQL statements the service sent to PostgreSQL, by target: primary or replica (none counted on embedded PGlite)",
        labelNames: ["service", "target"] as const,
        registers: [registry],
      }),
  );
  return () => counter.inc({ service, target });
}

/**
 * `db_replica_fallbacks_total{service}`: reads a replica could not serve
 * (unreachable, connection lost, a recovery conflict) that were retried on
 * the primary. Present (at 0) whenever replicas are configured.
 */
export function dbReplicaFallbackCounter(registry: Registry, service: string): () => void {
  const counter = metricOf(
    registry,
    "db_replica_fallbacks_total",
    () =>
      new Counter({
        name: "db_replica_fallbacks_total",
        help: "Reads a read replica could not serve that were retried on the primary",
        labelNames: ["service"] as const,
        registers: [registry],
      }),
  );
  counter.inc({ service }, 0);
  return () => counter.inc({ service });
}

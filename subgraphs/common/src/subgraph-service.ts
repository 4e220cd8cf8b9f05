import type { IncomingHttpHeaders } from "node:http";
import type { ApolloServer, ApolloServerPlugin, BaseContext } from "@apollo/server";
import type { DatabaseOptions, PoolStats } from "@emshop/db/open-database";
import type { PrepareOptions } from "@emshop/db/prepare";
import { readSessionTimeouts } from "@emshop/db/session-settings";
import type { SqlClient } from "@emshop/db/sql-client";
import type { Logger } from "pino";
import { type AuthState, createTokenVerifier } from "./auth/verify";
import { DEFAULT_MAX_BATCH_OPERATIONS } from "./batch-protocol";
import { type AuthOptions, developmentAuth } from "./config/auth";
import { type ReadinessDetails, type RunningService, type ShutdownOptions, startHttpService } from "./http-service";
import type { LimitOptions } from "./limits/options";
import { createLogger } from "./logging/logger";
import { dbPoolMetrics, dbStatementCounter } from "./metrics/db-pool";
import { createMetricsRegistry, type Registry } from "./metrics/registry";
import { requestSignal } from "./request-signal";
import type { SubgraphApolloOptions } from "./subgraph-server";

/** The database side a subgraph service needs: a health probe and a way to close it. */
export interface ServiceDatabase {
  kind: string;
  location: string;
  sql: Pick<SqlClient, "query">;
  /** The connection pool's state, for metrics (none for embedded databases). */
  poolStats?: () => PoolStats;
  close(): Promise<void>;
}

/** What differs between subgraphs; everything else is the same service. */
export interface SubgraphDefinition<Db extends ServiceDatabase, Context extends BaseContext> {
  name: string;
  defaultPort: number;
  /** `service`: the instance's metrics registry and logger (e.g. for read replicas' own counters). */
  openDb: (options: DatabaseOptions, service: { metrics: Registry; logger: Logger }) => Promise<Db>;
  /** Migrations (and the embedded demo seed) run before the port opens. */
  prepareDb: (db: Db, options: PrepareOptions) => Promise<void>;
  createServer: (options: SubgraphApolloOptions<Context>) => ApolloServer<Context>;
  /**
   * One cheap query through Prisma before the port opens: its query compiler
   * loads on first use (seconds on a busy machine), which would otherwise land
   * on the first request and could exceed the gateway's timeout.
   */
  warmUp: (db: Db) => Promise<unknown>;
  /** Builds each request's context: `auth` is the verified caller (from the Authorization header). */
  createContext: (db: Db, request: { headers: IncomingHttpHeaders; auth: AuthState }) => Context;
  /** Registers the subgraph's own metrics that read its database (e.g. inventory's stock levels). */
  registerMetrics?: (registry: Registry, db: Db) => void;
  /** More of the readiness JSON besides the database (e.g. inventory's `nats: down`); never turns it 503. */
  readinessDetails?: () => ReadinessDetails | undefined;
}

/** How one instance runs (from the validated configuration, or set by tests). */
export interface SubgraphServiceOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  database?: DatabaseOptions;
  /** Load demo data into an empty embedded database (default true). */
  demoData?: boolean;
  /** Where the service logs (default: JSON lines, or pretty on a terminal, on stdout). */
  logger?: Logger;
  shutdown?: Partial<ShutdownOptions>;
  includeStacktrace?: boolean;
  /** How bearer tokens are verified (default: the development secret; production refuses it at start). */
  auth?: AuthOptions;
  /** Abuse limits (default DEFAULT_LIMITS). */
  limits?: LimitOptions;
  /** Production mode: no introspection, suggestions or landing page. */
  production?: boolean;
  /** Extra Apollo plugins (tests observe requests with them). */
  plugins?: ApolloServerPlugin<BaseContext>[];
  /** This instance's metrics registry, served at /metrics (default: a new one). */
  metrics?: Registry;
  /** Most operations one batched request from the gateway may carry (default 50; 0 refuses batches). */
  maxBatchOperations?: number;
}

/**
 * DB_SESSION_SETTINGS=server: the service sends no timeouts, the server (or the
 * pooler) must set them. Warns when the connection it got runs with others
 * than configured: the service still works, but a stuck statement would not be
 * cut off after DB_STATEMENT_TIMEOUT_MS outside the service's own transactions.
 */
async function checkServerTimeouts(db: ServiceDatabase, database: DatabaseOptions, logger: Logger) {
  const expected = {
    statementTimeoutMs: database.statementTimeoutMs ?? 5000,
    idleInTransactionTimeoutMs: database.idleInTransactionTimeoutMs ?? 10_000,
  };
  const actual = await readSessionTimeouts(db.sql);
  if (
    actual.statementTimeoutMs !== expected.statementTimeoutMs ||
    actual.idleInTransactionTimeoutMs !== expected.idleInTransactionTimeoutMs
  )
    logger.warn(
      { expected, actual },
      "DB_SESSION_SETTINGS=server, but the server connection runs with other timeouts: set them with ALTER ROLE … SET or PgBouncer's connect_query",
    );
}

/**
 * Open database → migrate → build Apollo → serve, the same for every subgraph.
 * `stop` drains HTTP (in-flight requests still need the pool) and stops the
 * background work registered with `stopAlongside` at the same time, then
 * closes the database.
 */
export async function startSubgraphService<Db extends ServiceDatabase, Context extends BaseContext>(
  definition: SubgraphDefinition<Db, Context>,
  options: SubgraphServiceOptions = {},
): Promise<RunningService & { db: Db; stopAlongside(stop: () => Promise<void>): void }> {
  const logger = options.logger ?? createLogger({ service: definition.name });
  const verify = await createTokenVerifier(options.auth ?? developmentAuth);
  const metrics = options.metrics ?? createMetricsRegistry();
  const db = await definition.openDb(
    {
      onStatement: dbStatementCounter(metrics, definition.name),
      // An idle connection that loses its server is replaced by the pool; the operator still hears of it.
      onIdleError: (error) => logger.error({ err: error }, "idle database connection failed"),
      ...options.database,
    },
    { metrics, logger },
  );
  try {
    dbPoolMetrics(metrics, definition.name, db.poolStats);
    definition.registerMetrics?.(metrics, db);
    // The database package prefixes its lines with the database's name for the CLI tools; `service` says it here.
    const log = (line: string) => logger.info(line.replace(/^\[\w+\] /, ""));
    await definition.prepareDb(db, { log, demoData: options.demoData ?? true });
    if (db.kind === "postgres" && options.database?.sessionSettings === "server")
      await checkServerTimeouts(db, options.database, logger);
    await definition.warmUp(db);
    const service = await startHttpService<Context>({
      name: definition.name,
      createApollo: (plugins) =>
        definition.createServer({
          plugins: [...plugins, ...((options.plugins ?? []) as ApolloServerPlugin<Context>[])],
          includeStacktrace: options.includeStacktrace ?? false,
          ...(options.limits ? { limits: options.limits } : {}),
          production: options.production ?? false,
          metrics,
        }),
      // `signal` (caller gone or its deadline passed) is read by the request guard.
      context: async ({ req, res }) =>
        Object.assign(
          definition.createContext(db, { headers: req.headers, auth: await verify(req.headers.authorization) }),
          { signal: requestSignal(req, res) },
        ),
      readiness: async () => {
        await db.sql.query("SELECT 1");
        return definition.readinessDetails?.();
      },
      port: options.port ?? definition.defaultPort,
      ...(options.host ? { host: options.host } : {}),
      ...(options.shutdown ? { shutdown: options.shutdown } : {}),
      logger,
      metrics,
      maxBatchOperations: options.maxBatchOperations ?? DEFAULT_MAX_BATCH_OPERATIONS,
      ...(options.limits ? { maxBodyBytes: options.limits.maxBodyBytes, corsOrigins: options.limits.corsOrigins } : {}),
    });
    let stopped: Promise<void> | undefined;
    const background: (() => Promise<void>)[] = [];
    return {
      ...service,
      db,
      stopAlongside(stop) {
        background.push(stop);
      },
      stop() {
        // Concurrently, not workers first: a worker waiting for a busy pool must not
        // hold back readiness turning 503 (the load balancer has to hear of the drain now).
        stopped ??= Promise.allSettled([service.stop(), ...background.map((stop) => stop())]).then(async (results) => {
          await db.close();
          const failed = results.find((result) => result.status === "rejected");
          if (failed) throw failed.reason;
        });
        return stopped;
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}

import { chownSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import type { ProcessRegistry, RunAs } from "./processes";
import { GiveUp, waitFor } from "./wait";

/**
 * PgBouncer 1.18 in transaction pooling mode in front of HAProxy's primary
 * routes, one [databases] entry per application database.
 *
 * Startup parameters: node-postgres sends `statement_timeout` and
 * `idle_in_transaction_session_timeout` (prisma/src/open-database.ts sets
 * them on the pool) and PgBouncer 1.18 refuses a connection carrying a
 * parameter it does not know ("unsupported startup parameter"), so they are
 * listed in `ignore_startup_parameters`, which drops them silently: the
 * client's values never reach PostgreSQL. The same defaults are applied
 * server side instead, by each database entry's `connect_query` (run once on
 * every new server connection); see `serverTimeouts`.
 */

export interface PgbouncerDatabase {
  name: string;
  /** HAProxy's primary route for it. */
  port: number;
  /** SET statements run on each new server connection (`connect_query`). */
  connectQuery?: string;
}

export interface PgbouncerOptions {
  dir: string;
  port: number;
  databases: PgbouncerDatabase[];
  runAs?: RunAs | undefined;
  /** Server connections per database (default 20). */
  poolSize?: number;
}

/** What node-postgres (and Prisma's adapter-pg on top of it) sends that PgBouncer 1.18 does not handle itself. */
export const IGNORED_STARTUP_PARAMETERS = [
  "statement_timeout",
  "idle_in_transaction_session_timeout",
  "lock_timeout",
  "extra_float_digits",
];

/** The app's default timeouts (open-database.ts), as the connect_query that applies them server side. */
export function serverTimeouts(statementTimeoutMs = 5000, idleInTransactionTimeoutMs = 10_000): string {
  return `SET statement_timeout = ${statementTimeoutMs}; SET idle_in_transaction_session_timeout = ${idleInTransactionTimeoutMs}`;
}

export function buildPgbouncerIni(options: PgbouncerOptions, authFile: string): string {
  const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;
  return [
    "[databases]",
    ...options.databases.map(
      (db) =>
        `${db.name} = host=127.0.0.1 port=${db.port} dbname=${db.name} user=postgres` +
        (db.connectQuery ? ` connect_query=${quote(db.connectQuery)}` : ""),
    ),
    "",
    "[pgbouncer]",
    "listen_addr = 127.0.0.1",
    `listen_port = ${options.port}`,
    // No unix socket: nothing here needs one, and /var/run/postgresql belongs to the machine's cluster.
    "unix_socket_dir =",
    "auth_type = trust",
    `auth_file = ${authFile}`,
    "admin_users = postgres",
    "pool_mode = transaction",
    "max_client_conn = 1000",
    `default_pool_size = ${options.poolSize ?? 20}`,
    `ignore_startup_parameters = ${IGNORED_STARTUP_PARAMETERS.join(",")}`,
    // Failover: a server login that failed is retried after 1 s (default 15 s), a connect gives up after 2 s,
    // a client waits at most 10 s for a server connection.
    "server_login_retry = 1",
    "server_connect_timeout = 2",
    "query_wait_timeout = 10",
    "server_check_delay = 10",
    "log_connections = 0",
    "log_disconnections = 0",
    "",
  ].join("\n");
}

export interface Pgbouncer {
  port: number;
  url(database: string): string;
}

export async function startPgbouncer(
  registry: ProcessRegistry,
  options: PgbouncerOptions & { timeoutMs: number },
): Promise<Pgbouncer> {
  const dir = join(options.dir, "pgbouncer");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (options.runAs) chownSync(dir, options.runAs.uid, options.runAs.gid);
  const authFile = join(dir, "userlist.txt");
  const iniFile = join(dir, "pgbouncer.ini");
  writeFileSync(authFile, '"postgres" ""\n');
  writeFileSync(iniFile, buildPgbouncerIni(options, authFile));
  if (options.runAs) for (const file of [authFile, iniFile]) chownSync(file, options.runAs.uid, options.runAs.gid);
  const proc = registry.spawn("pgbouncer", "/usr/sbin/pgbouncer", [iniFile], {
    logFile: join(dir, "pgbouncer.log"),
    runAs: options.runAs,
    cwd: dir,
    env: { HOME: dir },
  });
  const url = (database: string) => `postgresql://postgres@127.0.0.1:${options.port}/${database}`;
  // PgBouncer's admin console answers without any server behind it.
  await waitFor(
    "pgbouncer to accept connections",
    async () => {
      if (!proc.alive()) throw new GiveUp("pgbouncer exited");
      const client = new pg.Client({ connectionString: url("pgbouncer"), connectionTimeoutMillis: 1000 });
      client.on("error", () => undefined);
      try {
        await client.connect();
        await client.query("SHOW VERSION");
        return true;
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    { timeoutMs: options.timeoutMs, details: () => registry.tails(15) },
  );
  return { port: options.port, url };
}

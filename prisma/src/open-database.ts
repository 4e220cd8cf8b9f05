import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { listenPglite, listenPostgres, type NotificationHandlers, type NotificationListener } from "./notifications";
import { type DatabaseName, embeddedDataDir } from "./paths";
import { PGLITE_EXTENSIONS } from "./pglite-extensions";
import { observedSqlClient, pgliteSqlClient, pgPoolSqlClient, type SqlClient } from "./sql-client";

/** How to reach one database. */
export interface DatabaseOptions {
  /**
   * `postgresql://…` for PostgreSQL; `pglite:<dir>` or `memory://` for embedded
   * PGlite. Defaults to PGlite in `<repo>/.data/<name>`. The services get it
   * from their validated configuration (`<NAME>_DATABASE_URL`).
   */
  url?: string;
  /** Max PostgreSQL connections held by this process (default 10). */
  poolSize?: number;
  /** How long a query may wait for a pooled connection before it fails (default 5000 ms). */
  connectTimeoutMs?: number;
  /** PostgreSQL `statement_timeout` of every connection, 0 for none (default 5000 ms). */
  statementTimeoutMs?: number;
  /** PostgreSQL `idle_in_transaction_session_timeout`, 0 for none (default 10000 ms). */
  idleInTransactionTimeoutMs?: number;
  /**
   * How the two timeouts reach the server (default "startup"):
   * - "startup": as startup parameters of every connection, so they hold for
   *   every statement (PostgreSQL directly, or a pooler that passes them on);
   * - "server": none are sent, because PgBouncer in transaction mode refuses
   *   unknown startup parameters (or, listed in `ignore_startup_parameters`,
   *   drops them silently). The server side sets them instead (`ALTER ROLE … SET`,
   *   or PgBouncer's `connect_query`); the raw client's own transactions
   *   also `SET LOCAL` the non-zero ones, so the stock writes keep them whatever
   *   the server says. `readSessionTimeouts` tells what a server connection has.
   */
  sessionSettings?: SessionSettings;
  /**
   * Where LISTEN connects (PostgreSQL only; default `url`). A pooler in
   * transaction mode hands the server connection to other clients after each
   * transaction, and a LISTEN on it would never hear a notification: point
   * this at PostgreSQL itself (or a pooler in session mode).
   */
  directUrl?: string;
  /** Called with the SQL of every query sent, by Prisma or the raw `sql` client (tests count queries with it). */
  onQuery?: (sql: string) => void;
  /** Called for every SQL statement sent through the PostgreSQL pool, Prisma's and raw alike (for metrics). */
  onStatement?: () => void;
  /** Told when an idle pooled connection fails (default: a line on stderr); the pool replaces it. */
  onIdleError?: (error: Error) => void;
}

/** See DatabaseOptions.sessionSettings. */
export const SESSION_SETTINGS = ["startup", "server"] as const;
export type SessionSettings = (typeof SESSION_SETTINGS)[number];

/** A PostgreSQL pool's connections right now (for metrics). */
export interface PoolStats {
  total: number;
  idle: number;
  /** Queries waiting for a connection. */
  waiting: number;
}

/** A raw connection to one database, shared by Prisma and the raw-SQL tools. */
export interface Connection {
  kind: "postgres" | "pglite";
  /** Where it points, without credentials (for logs). */
  location: string;
  sql: SqlClient;
  adapter: SqlDriverAdapterFactory;
  /** The pool's state (PostgreSQL only: embedded PGlite has no pool). */
  poolStats?: () => PoolStats;
  /** LISTEN on a channel (PostgreSQL: on a connection of its own, re-established when lost). */
  listen(channel: string, handlers: NotificationHandlers): Promise<NotificationListener>;
  close(): Promise<void>;
}

export async function openConnection(db: DatabaseName, options: DatabaseOptions = {}): Promise<Connection> {
  const url = options.url ?? `pglite:${embeddedDataDir(db)}`;
  if (/^postgres(ql)?:\/\//.test(url)) {
    const timeouts = {
      statement_timeout: options.statementTimeoutMs ?? 5000,
      idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? 10_000,
    };
    const perServer = options.sessionSettings === "server";
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      // Sent as startup parameters, so they hold for every statement on every
      // connection (Prisma's and raw SQL alike): a query nobody waits for any
      // more is cancelled by the server, and its locks are released. Behind
      // PgBouncer in transaction mode the server sets them ("server").
      ...(perServer ? {} : timeouts),
    });
    const { onStatement } = options;
    // Every statement, whoever sends it, goes through a pooled client's query():
    // counting there covers Prisma's adapter and the raw SQL client alike.
    if (onStatement)
      pool.on("connect", (client) => {
        const query = client.query.bind(client);
        client.query = ((...args: Parameters<typeof query>) => {
          onStatement();
          return query(...args);
        }) as typeof client.query;
      });
    // An idle client that loses its server must not crash the process; the pool replaces it.
    pool.on(
      "error",
      options.onIdleError ?? ((error) => console.error(`[${db}] idle database connection failed: ${error.message}`)),
    );
    return {
      kind: "postgres",
      location: url.replace(/\/\/[^@/]*@/, "//"),
      sql: pgPoolSqlClient(pool, perServer ? setLocal(timeouts) : undefined),
      adapter: new PrismaPg(pool),
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
      listen: (channel, handlers) => listenPostgres(options.directUrl ?? url, channel, handlers),
      close: () => pool.end(),
    };
  }
  const dataDir = url === "memory://" ? undefined : url.replace(/^pglite:/, "");
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const lite = await PGlite.create({ dataDir, extensions: PGLITE_EXTENSIONS });
  return {
    kind: "pglite",
    location: dataDir ?? "memory://",
    sql: pgliteSqlClient(lite),
    adapter: new PrismaPGlite(lite) as unknown as SqlDriverAdapterFactory,
    listen: (channel, handlers) => listenPglite(lite, channel, handlers),
    close: () => lite.close(),
  };
}

/** `SET LOCAL` of the non-zero timeouts, run by the raw client right after each BEGIN. */
function setLocal(timeouts: Record<string, number>): string | undefined {
  const sets = Object.entries(timeouts)
    .filter(([, ms]) => Number.isInteger(ms) && ms > 0)
    .map(([name, ms]) => `SET LOCAL ${name} = ${ms}`);
  return sets.length > 0 ? sets.join("; ") : undefined;
}

interface PrismaLike {
  $disconnect(): Promise<void>;
  $on(event: never, listener: (event: { query: string }) => void): void;
}

type PrismaOptions = { adapter: SqlDriverAdapterFactory; log?: { emit: "event"; level: "query" }[] };

/** One database as the services use it: a Prisma client and raw SQL over the same connection/pool. */
export type PrismaDatabase<Prisma> = Omit<Connection, "adapter"> & { prisma: Prisma };

/**
 * Opens a database and its Prisma client (of either generated schema); closing
 * it disconnects Prisma, then the pool. With `onQuery`, Prisma and the raw client
 * report the SQL of every query they send.
 */
export async function openPrismaDatabase<Prisma extends PrismaLike>(
  db: DatabaseName,
  createClient: (options: PrismaOptions) => Prisma,
  options: DatabaseOptions,
): Promise<PrismaDatabase<Prisma>> {
  const { adapter, close, ...connection } = await openConnection(db, options);
  const { onQuery } = options;
  const prisma = createClient(onQuery ? { adapter, log: [{ emit: "event", level: "query" }] } : { adapter });
  if (onQuery) prisma.$on("query" as never, (event) => onQuery(event.query));
  return {
    ...connection,
    ...(onQuery ? { sql: observedSqlClient(connection.sql, onQuery) } : {}),
    prisma,
    async close() {
      await prisma.$disconnect();
      await close();
    },
  };
}

import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { type DatabaseName, embeddedDataDir } from "./paths";
import { pgliteSqlClient, pgPoolSqlClient, type SqlClient } from "./sql-client";

/** How to reach one database. */
export interface DatabaseOptions {
  /**
   * `postgresql://…` for PostgreSQL; `pglite:<dir>` or `memory://` for embedded
   * PGlite. Defaults to `<NAME>_DATABASE_URL`, else PGlite in `.data/<name>`.
   */
  url?: string;
  /** Max PostgreSQL connections held by this process (default DB_POOL_SIZE or 10). */
  poolSize?: number;
  /** Called with the SQL of every query Prisma sends (tests count queries with it). */
  onQuery?: (sql: string) => void;
}

/** A raw connection to one database, shared by Prisma and the raw-SQL tools. */
export interface Connection {
  kind: "postgres" | "pglite";
  /** Where it points, without credentials (for logs). */
  location: string;
  sql: SqlClient;
  adapter: SqlDriverAdapterFactory;
  close(): Promise<void>;
}

export const envUrlName = (db: DatabaseName) => `${db.toUpperCase()}_DATABASE_URL`;

export function resolveDatabaseUrl(db: DatabaseName, url?: string): string {
  return url ?? process.env[envUrlName(db)] ?? `pglite:${embeddedDataDir(db)}`;
}

export async function openConnection(db: DatabaseName, options: DatabaseOptions = {}): Promise<Connection> {
  const url = resolveDatabaseUrl(db, options.url);
  if (/^postgres(ql)?:\/\//.test(url)) {
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? Number(process.env.DB_POOL_SIZE ?? 10),
    });
    // An idle client that loses its server must not crash the process; the pool replaces it.
    pool.on("error", (error) => console.error(`[${db}] idle database connection failed: ${error.message}`));
    return {
      kind: "postgres",
      location: url.replace(/\/\/[^@/]*@/, "//"),
      sql: pgPoolSqlClient(pool),
      adapter: new PrismaPg(pool),
      close: () => pool.end(),
    };
  }
  const dataDir = url === "memory://" ? undefined : url.replace(/^pglite:/, "");
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const lite = await PGlite.create(dataDir);
  return {
    kind: "pglite",
    location: dataDir ?? "memory://",
    sql: pgliteSqlClient(lite),
    adapter: new PrismaPGlite(lite) as unknown as SqlDriverAdapterFactory,
    close: () => lite.close(),
  };
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
 * it disconnects Prisma, then the pool. With `onQuery`, Prisma reports the SQL of
 * every query it sends.
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
    prisma,
    async close() {
      await prisma.$disconnect();
      await close();
    },
  };
}

import { type DatabaseOptions, SESSION_SETTINGS } from "@emshop/db/open-database";
import type { DatabaseName } from "@emshop/db/paths";
import { embeddedDataDir } from "@emshop/db/paths";
import { z } from "zod";
import { type ConfigOf, integer, milliseconds, oneOf, type Setting, text } from "./settings";

/** A database URL: PostgreSQL, or embedded PGlite in a folder or in memory. Secret: it may hold a password. */
function databaseUrl(db: DatabaseName): Setting<string | undefined> {
  return {
    description: `\`postgresql://…\` for PostgreSQL (via \`@prisma/adapter-pg\`), \`pglite:<dir>\` or \`memory://\` for embedded PGlite`,
    defaultText: `PGlite in \`<EMSHOP_DATA_DIR>/${db}\``,
    secret: true,
    schema: z
      .string()
      .trim()
      .refine(
        (value) => /^postgres(ql)?:\/\/\S+$/.test(value) || /^pglite:\S+$/.test(value) || value === "memory://",
        "must be postgresql://…, pglite:<dir> or memory://",
      )
      .optional(),
  };
}

const POSTGRES_URL = /^postgres(ql)?:\/\/[^\s,]+$/;

/** A PostgreSQL URL only (LISTEN's direct connection). Secret: it may hold a password. */
function postgresUrl(description: string, defaultText: string): Setting<string | undefined> {
  return {
    description,
    defaultText,
    secret: true,
    schema: z
      .string()
      .trim()
      .refine((value) => POSTGRES_URL.test(value), "must be postgresql://…")
      .optional(),
  };
}

/** Comma-separated PostgreSQL URLs; unset (or only commas) is none. Secret: they may hold passwords. */
function postgresUrls(description: string): Setting<string[]> {
  return {
    description,
    defaultText: "none (every read goes to `GOODS_DATABASE_URL`)",
    secret: true,
    schema: z
      .string()
      .optional()
      .transform((value) =>
        (value ?? "")
          .split(",")
          .map((url) => url.trim())
          .filter(Boolean),
      )
      .refine((urls) => urls.every((url) => POSTGRES_URL.test(url)), "must be postgresql://… URLs, comma-separated"),
  };
}

/** How each service holds its database connections (both subgraphs and the tools read the same variables). */
export const poolSettings = {
  EMSHOP_DATA_DIR: text({ defaultText: "`.data` in the repository", description: "where the embedded databases live" }),
  DB_POOL_SIZE: integer({ default: 10, min: 1, max: 1000, description: "PostgreSQL connections per service" }),
  DB_CONNECT_TIMEOUT_MS: milliseconds({
    default: 5000,
    description:
      "a request waiting longer than this for a pooled PostgreSQL connection fails instead of queueing forever",
  }),
  DB_STATEMENT_TIMEOUT_MS: milliseconds({
    default: 5000,
    min: 0,
    description:
      "PostgreSQL `statement_timeout` per connection: work the gateway gave up on stops instead of running on (0: none). Migrations are exempt",
  }),
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: milliseconds({
    default: 10000,
    min: 0,
    description:
      "PostgreSQL ends a session idle inside an open transaction after this long, releasing its locks (0: none)",
  }),
  DB_SESSION_SETTINGS: oneOf({
    values: SESSION_SETTINGS,
    default: "startup",
    description:
      'how `DB_STATEMENT_TIMEOUT_MS` and `DB_IDLE_IN_TRANSACTION_TIMEOUT_MS` reach PostgreSQL: `startup` sends them as startup parameters of each connection; `server` sends none, for PgBouncer in transaction mode (which refuses them): the server sets them (`ALTER ROLE … SET`, or PgBouncer\'s `connect_query`), raw-SQL transactions (the stock writes) also `SET LOCAL` them, and a service warns at start when its connection has others (README "Behind PgBouncer, replicas and failover")',
  }),
} satisfies Record<string, Setting<unknown>>;

export const goodsDatabaseSettings = {
  GOODS_DATABASE_URL: databaseUrl("goods"),
  GOODS_DATABASE_DIRECT_URL: postgresUrl(
    "`postgresql://…` that reaches PostgreSQL itself (or a pooler in *session* mode), for the catalog cache's LISTEN; set it when `GOODS_DATABASE_URL` goes through PgBouncer in transaction mode, where a LISTEN never hears a notification",
    "`GOODS_DATABASE_URL`",
  ),
  GOODS_DATABASE_REPLICA_URLS: postgresUrls(
    "comma-separated `postgresql://…` URLs of read replicas (streaming standbys): the catalog queries read from one of them, picked per query; writes, reads inside mutations and the catalog cache stay on the primary. A read the replica cannot serve (connection lost, recovery conflict) is retried once on the primary (`db_replica_fallbacks_total`)",
  ),
  ...poolSettings,
};
export const inventoryDatabaseSettings = { INVENTORY_DATABASE_URL: databaseUrl("inventory"), ...poolSettings };

/** The connection options of one database from its URL (if set) and the pool settings. */
export function databaseOptions(
  db: DatabaseName,
  url: string | undefined,
  pool: ConfigOf<typeof poolSettings>,
): Required<Omit<DatabaseOptions, "onQuery" | "onIdleError" | "onStatement" | "directUrl">> {
  return {
    url: url ?? `pglite:${embeddedDataDir(db, pool.EMSHOP_DATA_DIR)}`,
    poolSize: pool.DB_POOL_SIZE,
    connectTimeoutMs: pool.DB_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: pool.DB_STATEMENT_TIMEOUT_MS,
    idleInTransactionTimeoutMs: pool.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    sessionSettings: pool.DB_SESSION_SETTINGS,
  };
}

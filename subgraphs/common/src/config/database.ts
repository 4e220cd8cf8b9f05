import type { DatabaseOptions } from "@emshop/db/open-database";
import type { DatabaseName } from "@emshop/db/paths";
import { embeddedDataDir } from "@emshop/db/paths";
import { z } from "zod";
import { type ConfigOf, integer, milliseconds, type Setting, text } from "./settings";

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
} satisfies Record<string, Setting<unknown>>;

export const goodsDatabaseSettings = { GOODS_DATABASE_URL: databaseUrl("goods"), ...poolSettings };
export const inventoryDatabaseSettings = { INVENTORY_DATABASE_URL: databaseUrl("inventory"), ...poolSettings };

/** The connection options of one database from its URL (if set) and the pool settings. */
export function databaseOptions(
  db: DatabaseName,
  url: string | undefined,
  pool: ConfigOf<typeof poolSettings>,
): Required<Omit<DatabaseOptions, "onQuery" | "onIdleError" | "onStatement">> {
  return {
    url: url ?? `pglite:${embeddedDataDir(db, pool.EMSHOP_DATA_DIR)}`,
    poolSize: pool.DB_POOL_SIZE,
    connectTimeoutMs: pool.DB_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: pool.DB_STATEMENT_TIMEOUT_MS,
    idleInTransactionTimeoutMs: pool.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  };
}

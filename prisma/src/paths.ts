import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Root of the repository (the folder holding `migrations/` and `prisma/`). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The two databases of the system; each subgraph owns exactly one. */
export type DatabaseName = "goods" | "inventory";

export const migrationsDir = (db: DatabaseName) => join(repoRoot, "migrations", db);

/** Where the embedded default keeps each database: `.data/<name>` unless EMSHOP_DATA_DIR says otherwise. */
export const embeddedDataDir = (db: DatabaseName) =>
  join(process.env.EMSHOP_DATA_DIR ? resolve(process.env.EMSHOP_DATA_DIR) : join(repoRoot, ".data"), db);

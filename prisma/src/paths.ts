import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Root of the repository (the folder holding `migrations/goods` and `prisma/`).
 * Found by walking up rather than by a fixed `../..`: this module runs from
 * `prisma/src` under tsx and from `<service>/dist/index.js` once bundled.
 */
export const repoRoot = findRepoRoot(dirname(fileURLToPath(import.meta.url)));

function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "migrations", "goods")) && existsSync(join(dir, "migrations", "inventory"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no migrations/ folder found above ${from}`);
  }
}

/** The two databases of the system; each subgraph owns exactly one. */
export type DatabaseName = "goods" | "inventory";

export const migrationsDir = (db: DatabaseName) => join(repoRoot, "migrations", db);

/** Where the embedded default keeps each database: `<dataDir>/<name>`, `<repo>/.data/<name>` by default. */
export const embeddedDataDir = (db: DatabaseName, dataDir = join(repoRoot, ".data")) => join(resolve(dataDir), db);

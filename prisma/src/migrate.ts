import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type DatabaseName, migrationsDir } from "./paths";
import type { SqlClient } from "./sql-client";

/** Bookkeeping table: one row per applied migration file. */
export const MIGRATIONS_TABLE = "_emshop_migrations";

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {
  constructor(
    readonly file: string,
    override readonly cause: unknown,
  ) {
    super(`migration ${file} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "MigrationError";
  }
}

/** The `.sql` files of one database's folder, in the order they apply (by file name). */
export function readMigrations(dir: string): MigrationFile[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith(".sql"))
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

/**
 * Applies every migration not applied yet, each in its own transaction with its
 * bookkeeping row, so a failing file leaves the database as it was and later
 * files are not attempted. An advisory lock serialises concurrent runners
 * (e.g. two replicas starting at once) without blocking readers.
 */
export async function migrate(
  sql: SqlClient,
  db: DatabaseName,
  options: {
    dir?: string;
    log?: (line: string) => void;
    /**
     * Apply files up to and including this one (a file name, e.g.
     * "0002_legacy_stock_backup.sql") and stop: builds a database as an older
     * release left it. Unknown names throw before anything is applied.
     */
    until?: string;
  } = {},
): Promise<string[]> {
  const dir = options.dir ?? migrationsDir(db);
  const all = readMigrations(dir);
  const last = options.until === undefined ? all.length - 1 : all.findIndex((file) => file.name === options.until);
  if (options.until !== undefined && last < 0) throw new Error(`no migration named ${options.until} in ${dir}`);
  const files = all.slice(0, last + 1);
  // Even CREATE TABLE IF NOT EXISTS races with itself, so it takes the lock as well.
  await sql.transaction(async (tx) => {
    await tx.query("SET LOCAL statement_timeout = 0"); // waiting for another runner's lock may take long
    await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [MIGRATIONS_TABLE]);
    await tx.exec(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
      name TEXT PRIMARY KEY,
      checksum TEXT NOT NULL,
      applied_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP
    )`);
  });
  const applied: string[] = [];
  for (const file of files) {
    const didApply = await sql.transaction(async (tx) => {
      // A migration may legitimately run longer than any request: the services'
      // statement and idle timeouts are lifted for this transaction only.
      await tx.query("SET LOCAL statement_timeout = 0");
      await tx.query("SET LOCAL idle_in_transaction_session_timeout = 0");
      await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [MIGRATIONS_TABLE]);
      const [done] = await tx.query<{ checksum: string }>(`SELECT checksum FROM ${MIGRATIONS_TABLE} WHERE name = $1`, [
        file.name,
      ]);
      if (done) {
        if (done.checksum !== file.checksum) {
          throw new MigrationError(
            file.name,
            new Error("the file changed after it was applied; add a new migration instead"),
          );
        }
        return false;
      }
      try {
        await tx.exec(file.sql);
      } catch (error) {
        throw new MigrationError(file.name, error);
      }
      await tx.query(`INSERT INTO ${MIGRATIONS_TABLE} (name, checksum) VALUES ($1, $2)`, [file.name, file.checksum]);
      return true;
    });
    if (didApply) {
      applied.push(file.name);
      options.log?.(`[${db}] applied ${file.name}`);
    }
  }
  return applied;
}

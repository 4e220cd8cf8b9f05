import { MIGRATIONS_TABLE, type MigrationFile, migrate, readMigrations } from "@emshop/db/migrate";
import { migrationsDir } from "@emshop/db/paths";
import type { SqlClient } from "@emshop/db/sql-client";
import type pg from "pg";

/**
 * "Before" and "after" in one run, on the same million rows: the catalog is
 * loaded into the schema as of `baseline` (say 0004), measured, then the later
 * migrations are applied for real (timed: that is how long a shop's deploy
 * would hold their locks) and the same queries measured again.
 *
 * The goods service applies pending migrations when it starts, so while the
 * "before" phase runs, the later files are recorded as applied without being
 * run. Nothing else about them is faked: `applyHeldBack` forgets those records
 * and lets the project's own runner apply the files.
 */
export function migrationsAfter(baseline: string): MigrationFile[] {
  const files = readMigrations(migrationsDir("goods"));
  const index = files.findIndex((file) => file.name === baseline);
  if (index < 0) throw new Error(`BENCH_BEFORE: no migration named ${baseline} in migrations/goods`);
  return files.slice(index + 1);
}

export async function holdBack(client: pg.Client, files: MigrationFile[]) {
  for (const file of files) {
    await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (name, checksum) VALUES ($1, $2)`, [file.name, file.checksum]);
  }
}

/** Applies the held-back files with `migrate()`; returns their names and how long they took. */
export async function applyHeldBack(client: pg.Client, sql: SqlClient, files: MigrationFile[]) {
  await client.query(`DELETE FROM ${MIGRATIONS_TABLE} WHERE name = ANY($1)`, [files.map((file) => file.name)]);
  const started = performance.now();
  const applied = await migrate(sql, "goods");
  return { applied, seconds: (performance.now() - started) / 1000 };
}

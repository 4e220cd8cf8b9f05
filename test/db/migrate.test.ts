import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MIGRATIONS_TABLE, MigrationError, migrate, readMigrations } from "@emshop/db/migrate";
import { type Connection, openConnection } from "@emshop/db/open-database";
import { migrationsDir } from "@emshop/db/paths";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, onPostgres, type TestDatabase } from "../support/test-database";

describe("migration runner", () => {
  let database: TestDatabase;
  let connection: Connection;
  let dir: string;
  beforeEach(async () => {
    database = await createTestDatabase("migrate");
    connection = await openConnection("goods", { url: database.url });
    dir = mkdtempSync(join(tmpdir(), "emshop-migrate-"));
  });
  afterEach(async () => {
    await connection.close();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const tables = async () =>
    (
      await connection.sql.query<{ tablename: string }>(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
      )
    ).map((row) => row.tablename);
  const applied = async () =>
    (await connection.sql.query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY name`)).map(
      (row) => row.name,
    );

  it("applies every real migration once, in order, and records each", async () => {
    const files = readMigrations(migrationsDir("goods")).map((file) => file.name);
    expect(files.length).toBeGreaterThanOrEqual(3);
    expect(await migrate(connection.sql, "goods")).toEqual(files);
    expect(await applied()).toEqual(files);
    expect(await migrate(connection.sql, "goods")).toEqual([]);
    expect(await tables()).toEqual(expect.arrayContaining(["goods", "category", "brand", "banner", "category_brand"]));
  });

  it("leaves the database as it was when a migration fails, naming the file and the database error", async () => {
    writeFileSync(join(dir, "0001_a.sql"), "CREATE TABLE a (id INT PRIMARY KEY);");
    writeFileSync(
      join(dir, "0002_b.sql"),
      "CREATE TABLE b (id INT PRIMARY KEY);\nINSERT INTO missing_table VALUES (1);",
    );
    writeFileSync(join(dir, "0003_c.sql"), "CREATE TABLE c (id INT PRIMARY KEY);");

    const failure = await migrate(connection.sql, "goods", { dir }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MigrationError);
    expect((failure as MigrationError).file).toBe("0002_b.sql");
    expect((failure as MigrationError).message).toMatch(
      /^migration 0002_b\.sql failed: .*missing_table.*does not exist/,
    );
    // 0001 committed; 0002's table rolled back with it; 0003 never attempted.
    expect(await tables()).toEqual(["_emshop_migrations", "a"]);
    expect(await applied()).toEqual(["0001_a.sql"]);

    writeFileSync(join(dir, "0002_b.sql"), "CREATE TABLE b (id INT PRIMARY KEY);");
    expect(await migrate(connection.sql, "goods", { dir })).toEqual(["0002_b.sql", "0003_c.sql"]);
    expect(await tables()).toEqual(["_emshop_migrations", "a", "b", "c"]);
  });

  it("refuses to continue when an applied migration file was edited", async () => {
    writeFileSync(join(dir, "0001_a.sql"), "CREATE TABLE a (id INT PRIMARY KEY);");
    await migrate(connection.sql, "goods", { dir });
    writeFileSync(join(dir, "0001_a.sql"), "CREATE TABLE a (id BIGINT PRIMARY KEY);");
    await expect(migrate(connection.sql, "goods", { dir })).rejects.toThrow(
      /0001_a\.sql failed: the file changed after it was applied/,
    );
  });

  it.skipIf(!onPostgres)(
    "serialises concurrent runners so each file applies exactly once (PostgreSQL only: PGlite has a single connection)",
    async () => {
      writeFileSync(join(dir, "0001_a.sql"), "CREATE TABLE a (id INT PRIMARY KEY);");
      writeFileSync(join(dir, "0002_b.sql"), "CREATE TABLE b (id INT PRIMARY KEY);");
      const other = await openConnection("goods", { url: database.url });
      try {
        // On PGlite both handles are separate in-memory databases, so this only bites on PostgreSQL.
        const runs = await Promise.all([
          migrate(connection.sql, "goods", { dir }),
          migrate(other.sql, "goods", { dir }),
        ]);
        if (database.url !== "memory://") expect(runs.flat().sort()).toEqual(["0001_a.sql", "0002_b.sql"]);
        expect(await applied()).toEqual(["0001_a.sql", "0002_b.sql"]);
      } finally {
        await other.close();
      }
    },
  );
});

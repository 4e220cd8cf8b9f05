import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrationsDir } from "@emshop/db/paths";
import { findPrismaMigrationDrift, prismaSchemaPath } from "@emshop/db/schema-drift";
import { afterEach, describe, expect, it } from "vitest";

const goodsPrisma = () => readFileSync(prismaSchemaPath("goods"), "utf8");
const tempDirs: string[] = [];
afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A copy of one database's migrations with one extra file, to simulate a migration without a model change. */
function migrationsWithExtra(database: "goods" | "inventory", sql: string) {
  const dir = mkdtempSync(join(tmpdir(), "emshop-migrations-"));
  tempDirs.push(dir);
  cpSync(migrationsDir(database), dir, { recursive: true });
  writeFileSync(join(dir, "9999_extra.sql"), sql);
  return dir;
}

describe("SQL migrations and Prisma models describe the same database", () => {
  it.each(["goods", "inventory"] as const)("%s: no drift", async (database) => {
    expect(await findPrismaMigrationDrift({ database })).toEqual([]);
  });

  it("detects a column added to the Prisma schema only", async () => {
    const prismaSchema = goodsPrisma().replace(
      '  favNum      Int      @default(0) @map("fav_num")',
      '  favNum      Int      @default(0) @map("fav_num")\n  weight      Int?',
    );
    expect(prismaSchema).not.toBe(goodsPrisma());
    expect(await findPrismaMigrationDrift({ database: "goods", prismaSchema })).toEqual([
      "column goods.weight exists only in the Prisma schema",
    ]);
  });

  it("detects a column added by a migration only", async () => {
    const dir = migrationsWithExtra("goods", "ALTER TABLE brand ADD COLUMN country VARCHAR(2);");
    expect(await findPrismaMigrationDrift({ database: "goods", migrationsDir: dir })).toEqual([
      "column brand.country exists only in the migrations",
    ]);
  });

  it("detects a column whose type or nullability differs", async () => {
    const dir = migrationsWithExtra(
      "inventory",
      "ALTER TABLE inventory ALTER COLUMN version DROP NOT NULL; ALTER TABLE inventory ALTER COLUMN updated_at TYPE timestamp(3);",
    );
    const differences = await findPrismaMigrationDrift({ database: "inventory", migrationsDir: dir });
    expect(differences).toEqual([
      'column inventory.version is "integer null" in the migrations but "integer not null" in the Prisma schema',
      'column inventory.updated_at is "timestamp(3) without time zone not null" in the migrations but "timestamp(3) with time zone not null" in the Prisma schema',
    ]);
  });

  it("detects a unique index missing on one side, and a missing table", async () => {
    const dir = migrationsWithExtra(
      "goods",
      "DROP INDEX brand_name_key; CREATE TABLE wishlist (id SERIAL PRIMARY KEY, goods_id INTEGER NOT NULL);",
    );
    expect(await findPrismaMigrationDrift({ database: "goods", migrationsDir: dir })).toEqual([
      "unique index brand(name) exists only in the Prisma schema",
      "table wishlist exists only in the migrations",
    ]);
  });

  it("detects a plain index missing on one side, its columns or its method (the catalog's trigram indexes are compared too)", async () => {
    const dir = migrationsWithExtra(
      "goods",
      "DROP INDEX goods_is_hot_id_idx; DROP INDEX goods_brief_trgm_idx; CREATE INDEX goods_brief_btree ON goods (brief); " +
        "CREATE INDEX brand_logo_idx ON brand (logo);",
    );
    expect((await findPrismaMigrationDrift({ database: "goods", migrationsDir: dir })).sort()).toEqual([
      "index brand btree(logo) exists only in the migrations",
      "index goods btree(brief) exists only in the migrations",
      "index goods btree(is_hot,id) exists only in the Prisma schema",
      "index goods gin(brief) exists only in the Prisma schema",
    ]);
  });
});

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrate } from "@emshop/db/migrate";
import { type Connection, openConnection } from "@emshop/db/open-database";
import type { SqlClient } from "@emshop/db/sql-client";
import { type ImportOptions, importEmshop } from "@emshop/tools/import-emshop/import";
import { type VerifyOptions, verifyEmshop } from "@emshop/tools/import-emshop/verify";
import { afterAll } from "vitest";
import { createTestDatabase, onPostgres } from "../support/test-database";
import type { EmshopShop } from "./emshop-fixture";

const workDir = mkdtempSync(join(tmpdir(), "emshop-import-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));
let reports = 0;
export const nextReport = () => join(workDir, `report-${++reports}.jsonl`);

export const readReport = (path: string) =>
  readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));

export interface ImportTargets {
  /** GOODS_DATABASE_URL / INVENTORY_DATABASE_URL of the two targets. */
  urls: { goods: string; inventory: string };
  /** Both targets, opened once (PGlite keeps a directory: one opener at a time) and reused until close(). */
  sql(): Promise<{ goods: SqlClient; inventory: SqlClient }>;
  /** Closes the connections (before another process, the CLI or the services, opens the databases). */
  close(): Promise<void>;
  drop(): Promise<void>;
}

/**
 * Two fresh, migrated target databases: throwaway PostgreSQL databases with
 * TEST_DATABASE_URL, else PGlite in a directory (not memory://: the CLI and
 * the services are other processes or connections that open the same data).
 */
export async function createTargets(label: string): Promise<ImportTargets> {
  const databases = onPostgres
    ? { goods: await createTestDatabase(`${label}_goods`), inventory: await createTestDatabase(`${label}_inv`) }
    : null;
  const dir = join(workDir, `${label}-${++reports}`);
  const urls = databases
    ? { goods: databases.goods.url, inventory: databases.inventory.url }
    : { goods: `pglite:${join(dir, "goods")}`, inventory: `pglite:${join(dir, "inventory")}` };
  let opened: { goods: Connection; inventory: Connection } | null = null;
  const targets: ImportTargets = {
    urls,
    async sql() {
      if (!opened) {
        const goods = await openConnection("goods", { url: urls.goods, poolSize: 2 });
        const inventory = await openConnection("inventory", { url: urls.inventory, poolSize: 2 });
        opened = { goods, inventory };
      }
      return { goods: opened.goods.sql, inventory: opened.inventory.sql };
    },
    async close() {
      const connections = opened;
      opened = null;
      if (connections) await Promise.all([connections.goods.close(), connections.inventory.close()]);
    },
    async drop() {
      await targets.close();
      if (databases) await Promise.all([databases.goods.drop(), databases.inventory.drop()]);
    },
  };
  const { goods, inventory } = await targets.sql();
  await migrate(goods, "goods");
  await migrate(inventory, "inventory");
  return targets;
}

type RunOptions = Partial<Pick<ImportOptions, "apply" | "repair" | "batchSize" | "afterStep" | "reportPath">>;

/** importEmshop from the shop into the targets, in batches of 3 so that every table takes several. */
export async function runImport(shop: EmshopShop, targets: ImportTargets, options: RunOptions = {}) {
  const source = await shop.open();
  try {
    return await importEmshop({
      source,
      target: await targets.sql(),
      batchSize: 3,
      reportPath: nextReport(),
      ...options,
    });
  } finally {
    await source.goods.close();
    await source.inventory.close();
  }
}

export async function runVerify(shop: EmshopShop, targets: ImportTargets, options: Partial<VerifyOptions> = {}) {
  const source = await shop.open();
  try {
    return await verifyEmshop({
      source,
      target: await targets.sql(),
      batchSize: 3,
      reportPath: nextReport(),
      ...options,
    });
  } finally {
    await source.goods.close();
    await source.inventory.close();
  }
}

/** Columns two equivalent runs fill differently: times of writing, and ids the target generates. */
const VOLATILE: Record<string, string[]> = {
  emshop_import_state: ["started_at", "completed_at"],
  emshop_inventory_backup: ["backed_up_at"],
  legacy_stock_backup: ["backed_up_at"],
  inventory: ["id", "updated_at"],
  stock_movement: ["id", "created_at", "txid"],
  // A fresh database's own identity, and its origin tick's snapshot.
  inventory_settings: ["database_identity"],
  stock_event_tick: ["snapshot", "created_at"],
  _emshop_migrations: ["applied_at"],
};

/** Every row of every table, in a stable order, without volatile columns: "the same final state". */
export async function dump(sql: SqlClient) {
  const tables = await sql.query<{ tablename: string }>(
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
  );
  const contents: Record<string, unknown[]> = {};
  for (const { tablename } of tables) {
    const rows = await sql.query<Record<string, unknown>>(`SELECT * FROM "${tablename}"`);
    const volatile = VOLATILE[tablename] ?? [];
    contents[tablename] = rows
      .map((row) =>
        JSON.stringify(Object.fromEntries(Object.entries(row).filter(([column]) => !volatile.includes(column)))),
      )
      .sort();
  }
  return contents;
}

/** goods id → stocks in the target's inventory. */
export async function targetStocks(inventory: SqlClient) {
  const rows = await inventory.query<{ goods_id: number; stocks: number }>(
    "SELECT goods_id, stocks FROM inventory ORDER BY goods_id",
  );
  return Object.fromEntries(rows.map((row) => [row.goods_id, row.stocks]));
}

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readMigrations } from "@emshop/db/migrate";
import { migrationsDir } from "@emshop/db/paths";
import { type ReconcileOptions, reconcile } from "@emshop/tools/reconcile/reconcile";
import { afterAll } from "vitest";
import type { LegacyShop } from "./legacy-fixture";

/** A folder for this test file's reports, removed after it. */
export function reportFolder() {
  const dir = mkdtempSync(join(tmpdir(), "emshop-reconcile-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let count = 0;
  return { dir, next: () => join(dir, `report-${++count}.jsonl`) };
}

const reports = reportFolder();

/**
 * The goods migration files from `first` on, as `migrate()` applies them once
 * the drop (0003) may run: read from migrations/goods so that a new migration
 * does not need every reconcile test edited.
 */
export function goodsMigrationsFrom(first: string): string[] {
  const names = readMigrations(migrationsDir("goods")).map((file) => file.name);
  const start = names.indexOf(first);
  if (start < 0) throw new Error(`no goods migration named ${first}`);
  return names.slice(start);
}

/** reconcile() on a legacy shop, in batches of 3 so that the 9 fixture goods take 3 batches. */
export const runReconcile = (
  shop: LegacyShop,
  apply: boolean,
  extra: Partial<Pick<ReconcileOptions, "batchSize" | "afterStep">> = {},
) =>
  reconcile({
    goods: shop.goods.sql,
    inventory: shop.inventory,
    apply,
    reportPath: reports.next(),
    batchSize: 3,
    ...extra,
  });

export const readReport = (path: string) =>
  readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));

export const inventoryStocks = async (shop: LegacyShop) =>
  Object.fromEntries(
    (
      await shop.inventory.sql.query<{ goods_id: number; stocks: number }>(
        "SELECT goods_id, stocks FROM inventory ORDER BY goods_id",
      )
    ).map((row) => [row.goods_id, row.stocks]),
  );

// txid, snapshot, database_identity: which transaction, which snapshot, which fresh database.
const VOLATILE = new Set([
  "applied_at",
  "backed_up_at",
  "created_at",
  "updated_at",
  "started_at",
  "finished_at",
  "txid",
  "snapshot",
  "database_identity",
]);

/** Table contents without times and generated ids, which differ between two equivalent runs. */
export const withoutVolatile = (tables: Record<string, unknown[]>) =>
  JSON.parse(JSON.stringify(tables, (key, value) => (VOLATILE.has(key) || key === "id" ? undefined : value)));

export const hasStocksColumn = async (shop: LegacyShop) =>
  (
    await shop.goods.sql.query(
      "SELECT 1 FROM information_schema.columns WHERE table_name = 'goods' AND column_name = 'stocks'",
    )
  ).length > 0;

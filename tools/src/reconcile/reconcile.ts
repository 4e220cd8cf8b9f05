import type { InventoryDb } from "@emshop/db/inventory";
import type { SqlClient } from "@emshop/db/sql-client";
import { type ApplyStep, applyBatch, isReconciled, recordRun } from "./apply";
import { countRows, hasLegacyColumn, missingTables, readGoodsBatches, readOrphanBatches } from "./read-batches";
import { ReportWriter } from "./report";
import { ReconcileSummary } from "./summary";

export const DEFAULT_BATCH_SIZE = 5000;

export interface ReconcileOptions {
  goods: SqlClient;
  inventory: InventoryDb;
  /** false (the default): a dry run that changes nothing. */
  apply?: boolean;
  /** Goods per batch; memory is bounded by it (default 5000). */
  batchSize?: number;
  /** Where the JSON-lines report goes. */
  reportPath: string;
  /** Called after each batch with rows processed so far (goods, then inventory rows) and the total. */
  onProgress?: (processed: number, total: number) => void;
  /**
   * Test hook, called after each step of each applied batch (1-based); throwing
   * there is an interruption, as a crash or a lost connection would be.
   */
  afterStep?: (step: ApplyStep, batch: number) => void | Promise<void>;
}

export type ReconcileResult =
  | { status: "no_legacy_column" }
  | {
      status: "dry_run" | "applied" | "already_applied";
      summary: ReturnType<ReconcileSummary["toJSON"]>;
      summaryTable: string;
      reportPath: string;
      reportRows: number;
      /** Legacy values backed up (or backed up again) by this run. */
      backedUp: number;
      /** Inventory rows created by this run. */
      created: number;
    };

/** A precondition the operator can fix; the CLI prints its message as is. */
export class ReconcileError extends Error {
  override name = "ReconcileError";
}

async function assertMigrated(goods: SqlClient, inventory: SqlClient, apply: boolean) {
  const goodsMissing = await missingTables(goods, apply ? ["legacy_stock_backup", "stock_reconcile_run"] : []);
  const inventoryMissing = await missingTables(inventory, apply ? ["inventory", "stock_movement"] : ["inventory"]);
  if (goodsMissing.length === 0 && inventoryMissing.length === 0) return;
  const lacks = [
    ...goodsMissing.map((table) => `goods database: ${table}`),
    ...inventoryMissing.map((table) => `inventory database: ${table}`),
  ];
  throw new ReconcileError(
    `the databases are not migrated far enough (missing ${lacks.join(", ")}): run \`npm run db:migrate\` first ` +
      "(on a legacy shop it stops at 0003_drop_goods_stocks.sql, which waits for this tool)",
  );
}

/**
 * Compares legacy goods.stocks with inventory for every goods (and every
 * inventory row, for orphans). A dry run changes nothing; `apply` backs up and
 * repairs batch by batch, then records the run. Nothing is ever deleted.
 */
export async function reconcile(options: ReconcileOptions): Promise<ReconcileResult> {
  const { goods, inventory } = options;
  const apply = options.apply ?? false;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!(await hasLegacyColumn(goods))) return { status: "no_legacy_column" };
  await assertMigrated(goods, inventory.sql, apply);
  const startedAt = new Date();
  const totals = await countRows(goods, inventory.sql);
  const total = totals.goods + totals.inventory;
  const summary = new ReconcileSummary();
  const report = new ReportWriter(options.reportPath);
  let processed = 0;
  let batch = 0;
  let backedUp = 0;
  let created = 0;
  try {
    for await (const scanned of readGoodsBatches(goods, inventory.sql, batchSize)) {
      let rows = scanned;
      if (apply) {
        const number = ++batch;
        const done = await applyBatch(goods, inventory, scanned, (step) => options.afterStep?.(step, number));
        rows = done.rows;
        backedUp += done.backedUp;
        created += done.created;
      }
      summary.add(rows);
      summary.goodsScanned += rows.length;
      await report.write(rows);
      processed += rows.length;
      options.onProgress?.(processed, total);
    }
    for await (const { scanned, orphans } of readOrphanBatches(goods, inventory.sql, batchSize)) {
      summary.add(orphans);
      await report.write(orphans);
      processed += scanned;
      options.onProgress?.(processed, total);
    }
  } finally {
    await report.close();
  }
  const result = {
    summary: summary.toJSON(),
    summaryTable: summary.format(),
    reportPath: report.path,
    reportRows: report.rows,
    backedUp,
    created,
  };
  if (!apply) return { status: "dry_run", ...result };
  // Nothing written now and a completed run newer than every backup: a re-run, a no-op.
  if (backedUp === 0 && created === 0 && (await isReconciled(goods))) return { status: "already_applied", ...result };
  // What was found, not what this run did: a resumed run records the same summary as an uninterrupted one.
  await recordRun(goods, startedAt, summary.toJSON());
  return { status: "applied", ...result };
}

import type { InventoryDb } from "@emshop/db/inventory";
import type { SqlClient } from "@emshop/db/sql-client";
import { applyBatch } from "./apply-batch";
import { ReportWriter } from "./report";
import { countRows, hasLegacyColumn, scanGoods, scanOrphans } from "./scan";
import { ReconcileSummary } from "./summary";

export interface ReconcileOptions {
  goods: SqlClient;
  inventory: InventoryDb;
  apply: boolean;
  batchSize?: number;
  /** Where the JSON-lines report goes. */
  reportPath: string;
  /** Called after each batch with rows processed so far and the total. */
  onProgress?: (processed: number, total: number) => void;
  /** Test hook: fail after this many applied batches, as a crash would. */
  failAfterBatches?: number;
}

export type ReconcileResult =
  | { status: "no_legacy_column" }
  | {
      status: "dry_run" | "applied" | "already_applied";
      summary: ReturnType<ReconcileSummary["toJSON"]>;
      summaryTable: string;
      reportPath: string;
      reportRows: number;
      backedUp: number;
      created: number;
    };

/**
 * Compares legacy goods.stocks with inventory for every goods (and every
 * inventory row, for orphans). A dry run changes nothing; `apply` backs up and
 * repairs batch by batch, then records the run. Nothing is ever deleted.
 */
export async function reconcile(options: ReconcileOptions): Promise<ReconcileResult> {
  const { goods, inventory } = options;
  if (!(await hasLegacyColumn(goods))) return { status: "no_legacy_column" };
  const batchSize = options.batchSize ?? 5000;
  const startedAt = new Date();
  const totals = await countRows(goods, inventory.sql);
  const total = totals.goods + totals.inventory;
  const summary = new ReconcileSummary();
  const report = new ReportWriter(options.reportPath);
  let processed = 0;
  let batches = 0;
  let backedUp = 0;
  let created = 0;
  try {
    for await (const scanned of scanGoods(goods, inventory.sql, { batchSize })) {
      let rows = scanned;
      if (options.apply) {
        const done = await applyBatch(goods, inventory, scanned);
        rows = done.rows;
        backedUp += done.backedUp;
        created += done.created;
        batches++;
        if (options.failAfterBatches !== undefined && batches >= options.failAfterBatches) {
          throw new Error(`injected failure after ${batches} batch(es)`);
        }
      }
      summary.add(rows);
      summary.goodsScanned += rows.length;
      await report.write(rows);
      processed += rows.length;
      options.onProgress?.(processed, total);
    }
    for await (const { scanned, orphans } of scanOrphans(goods, inventory.sql, { batchSize })) {
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
  if (!options.apply) return { status: "dry_run", ...result };
  const [previous] = await goods.query("SELECT id FROM stock_reconcile_run WHERE status = 'completed' LIMIT 1");
  if (previous && backedUp === 0 && created === 0) return { status: "already_applied", ...result };
  await goods.query(
    `INSERT INTO stock_reconcile_run (started_at, finished_at, status, summary)
     VALUES ($1, CURRENT_TIMESTAMP, 'completed', $2::jsonb)`,
    // What was found, not what this run did: a resumed run records the same summary as an uninterrupted one.
    [startedAt, JSON.stringify(summary.toJSON())],
  );
  return { status: "applied", ...result };
}

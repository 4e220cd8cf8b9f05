import { markStarted, recordCompleted } from "./bookkeeping";
import { TABLES, type TableCounts, type TableName } from "./counts";
import { importGoodsBatch, importOrphanBatch, importSellBatch, importTableBatch, type Targets } from "./import-batches";
import { SourcePlan } from "./plan";
import { JsonLinesReport } from "./report";
import { type ImportStep, RunState } from "./run-state";
import { moveSequences, type SequenceMove } from "./sequences";
import type { SourceDb } from "./source";
import { readSourceShape } from "./source-schema";
import { STOCK_RULE } from "./stock";
import { checkTarget, targetRead } from "./target";
import { bannerTable, brandTable, categoryBrandTable, categoryTable } from "./target-tables";
import { upsertBanners, upsertBrands, upsertCategories, upsertCategoryBrands } from "./write-catalog";

export const DEFAULT_BATCH_SIZE = 5000;

export interface ImportOptions {
  source: { goods: SourceDb; inventory: SourceDb };
  target: Targets;
  /** false (the default): a dry run that writes nothing anywhere (the report file aside). */
  apply?: boolean;
  /** Import rows with a documented repair (repairs.ts) instead of skipping them. */
  repair?: boolean;
  /** Rows per batch; memory is bounded by it (default 5000). */
  batchSize?: number;
  /** Where the JSON-lines report goes. */
  reportPath: string;
  onProgress?: (processed: number, total: number) => void;
  /** Test hook after each step of each written batch; throwing there is an interruption. */
  afterStep?: (step: ImportStep, batch: number) => void | Promise<void>;
}

export interface ImportResult {
  status: "dry_run" | "applied" | "already_applied";
  repair: boolean;
  /** Per table: read, soft-deleted, skipped (by reason), repaired, and insert/update/unchanged (would, in a dry run). */
  tables: Record<TableName, TableCounts>;
  /** The reconcile tool's stock classes, and what only emshop has (several inventory rows per goods). */
  stock: ReturnType<RunState["found"]>["stock"] & {
    rule: string;
    multipleInventoryRows: number;
    negativeInventoryStocks: number;
  };
  backups: { legacyStocks: number; inventoryRows: number };
  mergedSellItems: number;
  sequences: SequenceMove[];
  /** Wall time per phase (goods and their inventory rows are one phase: they are written batch by batch together). */
  seconds: Record<string, number>;
  reportPath: string;
  reportRows: number;
}

const SOURCE_TABLES = {
  goods: ["category", "brands", "goodscategorybrand", "banner", "goods"],
  inventory: ["inventory", "stockselldetail"],
};

/** Rows in every source table read (soft-deleted included): the progress bar's total. */
export async function countSourceRows(source: ImportOptions["source"]) {
  let total = 0;
  for (const [database, tables] of Object.entries(SOURCE_TABLES) as ["goods" | "inventory", string[]][])
    for (const table of tables) {
      const [row] = await source[database].query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`);
      total += Number(row?.n ?? 0);
    }
  return total;
}

/**
 * Imports an emshop shop (MySQL/MariaDB) into this project's two databases:
 * categories (parents first), brands, category-brand pairs, banners, goods with
 * their stock (legacy goods.stocks backed up first, inventory winning, IMPORT
 * ledger rows), orphan inventory (reported), order stock records; then moves
 * the id sequences. Every batch is one transaction per database; every write is
 * an upsert of what differs, so a run interrupted anywhere is completed by the
 * next, and a second full run writes nothing ("already_applied").
 */
export async function importEmshop(options: ImportOptions): Promise<ImportResult> {
  const apply = options.apply ?? false;
  const repair = options.repair ?? false;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const { target } = options;
  const shape = await readSourceShape(options.source.goods, options.source.inventory);
  const state = await checkTarget(target.goods, target.inventory);
  const total = await countSourceRows(options.source);
  const report = new JsonLinesReport(options.reportPath);
  const run = new RunState(apply, report, total, options.onProgress, options.afterStep);
  const plan = new SourcePlan({ source: options.source, shape, repair, batchSize });
  let result: ImportResult | undefined;
  try {
    if (apply) await targetRead("target", () => markStarted(target.goods, target.inventory));
    const seconds: Record<string, number> = {};
    /** Runs one phase and keeps its wall time (the benchmark's rows/s per table). */
    const timed = async (phase: string, work: () => Promise<void>) => {
      const started = performance.now();
      await work();
      seconds[phase] = Number(((performance.now() - started) / 1000).toFixed(3));
    };
    await timed("category", async () => {
      for await (const batch of plan.categoryBatches())
        await importTableBatch(run, target, "category", categoryTable, upsertCategories, batch);
    });
    await timed("brand", async () => {
      for await (const batch of plan.brandBatches())
        await importTableBatch(run, target, "brand", brandTable, upsertBrands, batch);
    });
    await timed("category_brand", async () => {
      for await (const batch of plan.categoryBrandBatches())
        await importTableBatch(run, target, "category_brand", categoryBrandTable, upsertCategoryBrands, batch);
    });
    await timed("banner", async () => {
      for await (const batch of plan.bannerBatches())
        await importTableBatch(run, target, "banner", bannerTable, upsertBanners, batch);
    });
    await timed("goods_and_inventory", async () => {
      for await (const batch of plan.goodsBatches()) await importGoodsBatch(run, target, batch);
    });
    await timed("orphan_inventory", async () => {
      for await (const batch of plan.orphanBatches()) await importOrphanBatch(run, target, batch);
    });
    await timed("stock_sell", async () => {
      for await (const batch of plan.sellBatches()) await importSellBatch(run, target, batch);
    });
    let sequences: SequenceMove[] = [];
    await timed("sequences", async () => {
      sequences = await targetRead("goods", () => moveSequences(target.goods, plan.maxima, apply));
    });

    let status: ImportResult["status"] = "dry_run";
    if (apply) {
      const nothingToDo = !run.wroteAnything && sequences.length === 0 && state?.completedAt && state.repair === repair;
      status = nothingToDo ? "already_applied" : "applied";
      if (!nothingToDo) await targetRead("goods", () => recordCompleted(target.goods, repair, run.found()));
    }
    result = {
      status,
      repair,
      tables: Object.fromEntries(TABLES.map((name) => [name, run.counts[name]])) as Record<TableName, TableCounts>,
      stock: {
        ...run.stock.toJSON(),
        rule: STOCK_RULE,
        multipleInventoryRows: run.multipleInventoryRows,
        negativeInventoryStocks: run.negativeInventoryStocks,
      },
      backups: run.backups,
      mergedSellItems: run.mergedSellItems,
      sequences,
      seconds,
      reportPath: report.path,
      reportRows: report.rows,
    };
    return result;
  } finally {
    await report.close(result && JSON.parse(JSON.stringify(result)));
  }
}

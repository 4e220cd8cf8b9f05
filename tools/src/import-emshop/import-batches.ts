import type { SqlClient } from "@emshop/db/sql-client";
import { resolution } from "../reconcile/classify";
import { backUpInventoryRows, backUpLegacyStocks } from "./bookkeeping";
import { compareWithTarget } from "./compare";
import type { TableName } from "./counts";
import type { GoodsBatch, OrphanBatch, PlannedBatch, SellBatch } from "./plan";
import type { RunState } from "./run-state";
import { backupDecision, type GoodsStock, STOCK_RULE } from "./stock";
import { targetRead } from "./target";
import type { GoodsRow } from "./target-rows";
import { goodsTable, type TargetTable } from "./target-tables";
import { inTransaction, type RejectedRow, writeBatch } from "./transactions";
import { upsertGoods } from "./write-catalog";
import { planSells, writeSells } from "./write-sells";
import { planStocks, type StockPlan, writeStocks } from "./write-stock";

export interface Targets {
  goods: SqlClient;
  inventory: SqlClient;
}

/** The rows of a batch that can be imported, and a report line for every row that needs a look. */
function sortOut<Row>(run: RunState, table: TableName, batch: PlannedBatch<Row>) {
  const counts = run.counts[table];
  counts.read += batch.read;
  counts.softDeleted += batch.softDeleted;
  const rows: Row[] = [];
  const lines: object[] = [];
  for (const { key, result } of batch.results) {
    if (!result.ok) {
      counts.skip(result.problems);
      lines.push({ type: "skipped", table, key, problems: result.problems });
      continue;
    }
    rows.push(result.row);
    if (result.repairs.length > 0) {
      counts.repaired++;
      lines.push({ type: "repaired", table, key, repairs: result.repairs });
    }
  }
  return { rows, lines };
}

function countRejected(run: RunState, table: TableName, rejected: RejectedRow[], inserted: Set<number | string>) {
  const counts = run.counts[table];
  for (const row of rejected) {
    counts.rejected++;
    if (inserted.has(row.key)) counts.insert--;
    else counts.update--;
  }
  return rejected.map((row) => ({ type: "rejected", table, ...row }));
}

/**
 * Compares the batch with the target and, on --apply, writes what differs in
 * one transaction (row by row only if the database refuses a row). Returns
 * the keys the target refused.
 */
async function importRows<Row, Key extends number | string>(
  run: RunState,
  sql: SqlClient,
  tableName: TableName,
  table: TargetTable<Row, Key>,
  upsert: (tx: SqlClient, rows: Row[]) => Promise<void>,
  rows: Row[],
) {
  const counts = run.counts[tableName];
  const database = tableName === "stock_sell" ? "inventory" : "goods";
  const compared = await targetRead(database, () => compareWithTarget(sql, table, rows));
  counts.insert += compared.insert.length;
  counts.update += compared.update.length;
  counts.unchanged += compared.unchanged;
  if (!run.apply) return { lines: [], rejected: new Set<number | string>() };
  const changed = [...compared.insert, ...compared.update];
  const rejected = await writeBatch(database, sql, changed, table.keyOf, upsert);
  const inserted = new Set<number | string>(compared.insert.map(table.keyOf));
  return {
    lines: countRejected(run, tableName, rejected, inserted),
    rejected: new Set(rejected.map((row) => row.key)),
  };
}

/** category, brand, category_brand, banner: map, compare, write, report. */
export async function importTableBatch<Row, Key extends number | string>(
  run: RunState,
  targets: Targets,
  tableName: TableName,
  table: TargetTable<Row, Key>,
  upsert: (tx: SqlClient, rows: Row[]) => Promise<void>,
  batch: PlannedBatch<Row>,
) {
  const { rows, lines } = sortOut(run, tableName, batch);
  const written = await importRows(run, targets.goods, tableName, table, upsert, rows);
  await run.report.write([...lines, ...written.lines]);
  run.progress(batch.read);
  await run.step("batch_done");
}

/** The report line of a goods whose stock needs a look (not a plain match of one row), or null. */
function stockLine(stock: GoodsStock, plan: StockPlan | undefined) {
  // As the reconcile report leaves out matches: one row, imported as it is (with or without an equal legacy value).
  const plain =
    (stock.comparison.class === "match" || stock.comparison.class === "inventory_only") &&
    !stock.multipleRows &&
    stock.goodsImported &&
    plan?.wanted.stocks === stock.comparison.inventoryStocks;
  if (plain) return null;
  return {
    type: "stock",
    ...stock.comparison,
    resolution:
      stock.goodsImported || stock.comparison.class === "orphan_inventory"
        ? resolution(stock.comparison)
        : "not imported: the goods is skipped",
    imported: plan ? plan.wanted.stocks : null,
    ...(stock.multipleRows
      ? {
          rule: STOCK_RULE,
          chosenRowId: stock.chosen?.id ?? null,
          rows: stock.rows.map((row) => ({
            id: row.id,
            stocks: row.stocks,
            version: row.version,
            updateTime: row.update_time ?? null,
            deletedAt: row.deleted_at,
          })),
        }
      : {}),
  };
}

/** Counts of the inventory table and the stock summary for the goods of one batch (or orphan ids). */
function countStocks(run: RunState, stocks: GoodsStock[], live: boolean) {
  const counts = run.counts.inventory;
  run.stock.add(stocks.map((stock) => stock.comparison));
  if (live) run.stock.goodsScanned += stocks.length;
  for (const stock of stocks) {
    if (stock.multipleRows) run.multipleInventoryRows++;
    if (stock.goodsImported && (stock.chosen?.stocks ?? 0) < 0) run.negativeInventoryStocks++;
    const skipped = stock.rows
      .map((row) => backupDecision(stock, row, live))
      .filter((decision) => decision !== "chosen" && decision !== "soft_deleted");
    const notChosen = skipped.filter((decision) => decision === "not_chosen").length;
    if (skipped.length - notChosen > 0)
      counts.skip([live ? "goods_skipped" : "orphan_inventory"], skipped.length - notChosen);
    if (notChosen > 0) counts.skip(["not_chosen"], notChosen);
  }
}

/**
 * One goods batch, in this order: (1) the legacy goods.stocks values backed
 * up (committed first: nothing about stock changes before its backup), (2) the
 * goods rows, (3) in the inventory database, one transaction: every emshop
 * inventory row backed up, and the stock levels written (IMPORT ledger rows).
 */
export async function importGoodsBatch(run: RunState, targets: Targets, batch: GoodsBatch) {
  const { rows, lines } = sortOut<GoodsRow>(run, "goods", batch);
  if (run.apply)
    run.backups.legacyStocks += await inTransaction("goods", targets.goods, (tx) =>
      backUpLegacyStocks(tx, batch.stocks),
    );
  const written = await importRows(run, targets.goods, "goods", goodsTable, upsertGoods, rows);
  await run.step("goods_written");

  // A goods the target refused has no stock there either.
  const stocks = batch.stocks.map((stock) =>
    written.rejected.has(stock.goodsId) ? { ...stock, goodsImported: false, target: null } : stock,
  );
  const counts = run.counts.inventory;
  counts.read += batch.inventoryRead;
  counts.softDeleted += batch.inventorySoftDeleted;
  const wanted = stocks.flatMap((stock) => (stock.target ? [stock.target] : []));
  const plans = await targetRead("inventory", () => planStocks(targets.inventory, wanted));
  const stockLines = tallyStockPlans(run, plans);
  if (run.apply) {
    run.backups.inventoryRows += await inTransaction("inventory", targets.inventory, async (tx) => {
      const saved = await backUpInventoryRows(
        tx,
        stocks.map((stock) => ({ stock, decision: (row) => backupDecision(stock, row, true) })),
      );
      await writeStocks(tx, plans);
      return saved;
    });
  }
  countStocks(run, stocks, true);
  const byGoods = new Map(plans.map((plan) => [plan.wanted.goodsId, plan]));
  const report = stocks.map((stock) => stockLine(stock, byGoods.get(stock.goodsId))).filter((line) => line !== null);
  await run.report.write([...lines, ...written.lines, ...report, ...stockLines]);
  run.progress(batch.read + batch.inventoryRead);
  await run.step("batch_done");
}

/** insert/update/unchanged/conflict counts of the stock levels, and a line per conflict. */
function tallyStockPlans(run: RunState, plans: StockPlan[]) {
  const counts = run.counts.inventory;
  const lines: object[] = [];
  for (const plan of plans) {
    if (plan.action === "conflict") {
      counts.conflicts++;
      lines.push({ type: "conflict", table: "inventory", key: plan.wanted.goodsId, reason: plan.reason });
    } else counts[plan.action]++;
  }
  return lines;
}

/** Inventory rows of goods ids goods does not have: backed up and reported (orphan_inventory), never imported. */
export async function importOrphanBatch(run: RunState, targets: Targets, batch: OrphanBatch) {
  run.counts.inventory.read += batch.inventoryRead;
  run.counts.inventory.softDeleted += batch.inventorySoftDeleted;
  if (run.apply)
    run.backups.inventoryRows += await inTransaction("inventory", targets.inventory, (tx) =>
      backUpInventoryRows(
        tx,
        batch.rowsOf.map((stock) => ({ stock, decision: (row) => backupDecision(stock, row, false) })),
      ),
    );
  countStocks(run, batch.stocks, false);
  await run.report.write(batch.stocks.map((stock) => stockLine(stock, undefined)).filter((line) => line !== null));
  run.progress(batch.inventoryRead);
  await run.step("batch_done");
}

/** stockselldetail → stock_sell: records only move forward (write-sells.ts). */
export async function importSellBatch(run: RunState, targets: Targets, batch: SellBatch) {
  const { rows, lines } = sortOut(run, "stock_sell", batch);
  run.mergedSellItems += batch.merged.length;
  const counts = run.counts.stock_sell;
  const plans = await targetRead("inventory", () => planSells(targets.inventory, rows));
  const conflicts: object[] = [];
  for (const plan of plans) {
    if (plan.action === "conflict") {
      counts.conflicts++;
      conflicts.push({ type: "conflict", table: "stock_sell", key: plan.row.orderSn, reason: plan.reason });
    } else counts[plan.action]++;
  }
  let rejectedLines: object[] = [];
  if (run.apply) {
    const changed = plans.filter((plan) => plan.action === "insert" || plan.action === "update");
    const rejected = await writeBatch("inventory", targets.inventory, changed, (plan) => plan.row.orderSn, writeSells);
    const inserted = new Set<number | string>(
      changed.filter((plan) => plan.action === "insert").map((plan) => plan.row.orderSn),
    );
    rejectedLines = countRejected(run, "stock_sell", rejected, inserted);
  }
  const merged = batch.merged.map((key) => ({ type: "merged", table: "stock_sell", key }));
  await run.report.write([...lines, ...merged, ...conflicts, ...rejectedLines]);
  run.progress(batch.read);
  await run.step("batch_done");
}

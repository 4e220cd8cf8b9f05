import type { SqlClient } from "@emshop/db/sql-client";
import { ledgerViolations } from "@emshop/inventory/stock/invariants";
import { readState } from "./bookkeeping";
import { TableChecksum } from "./checksum";
import { ImportError } from "./errors";
import { countSourceRows } from "./import";
import type { Targets } from "./import-batches";
import { type PlannedBatch, SourcePlan } from "./plan";
import { JsonLinesReport } from "./report";
import { moveSequences, type SequenceMove } from "./sequences";
import type { SourceDb } from "./source";
import { readSourceShape } from "./source-schema";
import { targetRead } from "./target";
import type { StockRow } from "./target-rows";
import {
  bannerTable,
  brandTable,
  categoryBrandTable,
  categoryTable,
  goodsTable,
  stockSellTable,
  stockTable,
  type TargetTable,
} from "./target-tables";

export interface VerifyOptions {
  source: { goods: SourceDb; inventory: SourceDb };
  target: Targets;
  batchSize: number;
  reportPath: string;
  onProgress?: (processed: number, total: number) => void;
}

/** One table compared: the expected rows (from the source, mapped) against the target's. */
export interface TableVerdict {
  source: { count: number; checksum: string };
  target: { count: number; checksum: string };
  /** Expected rows the target lacks, and rows whose mapped columns differ. */
  missing: number;
  different: number;
  /** Target rows no source row accounts for (written since, or left from another source). */
  unexpected: number;
  ok: boolean;
}

export interface VerifyResult {
  status: "verified" | "differences";
  repair: boolean;
  tables: Record<string, TableVerdict>;
  /** Sequences that would still hand out an id emshop used. */
  sequences: SequenceMove[];
  /** Goods whose ledger (sum of movements) does not add up to their stock. */
  ledgerMismatches: number;
  differences: number;
  reportPath: string;
}

/** Compares one table row by row, batch by batch, then scans the target for its count and checksum. */
class TableCheck<Row, Key extends number | string> {
  private readonly expected = new TableChecksum();
  missing = 0;
  different = 0;

  constructor(
    private readonly table: TargetTable<Row, Key>,
    private readonly sql: SqlClient,
    private readonly report: JsonLinesReport,
  ) {}

  async batch(rows: Row[]) {
    for (const row of rows) this.expected.add(this.table.canonical(row));
    const found = await targetRead(this.table.name, () => this.table.fetch(this.sql, rows.map(this.table.keyOf)));
    const lines: object[] = [];
    for (const row of rows) {
      const key = this.table.keyOf(row);
      const current = found.get(key);
      if (!current) {
        this.missing++;
        lines.push({ type: "difference", table: this.table.name, key, kind: "missing", source: row, target: null });
      } else if (this.table.canonical(current) !== this.table.canonical(row)) {
        this.different++;
        lines.push({
          type: "difference",
          table: this.table.name,
          key,
          kind: "different",
          source: row,
          target: current,
        });
      }
    }
    await this.report.write(lines);
  }

  async verdict(batchSize: number): Promise<TableVerdict> {
    const actual = new TableChecksum();
    let after: Key | null = null;
    for (;;) {
      const rows: Row[] = await targetRead(this.table.name, () => this.table.scan(this.sql, after, batchSize));
      for (const row of rows) actual.add(this.table.canonical(row));
      if (rows.length < batchSize) break;
      after = this.table.keyOf(rows[rows.length - 1] as Row);
    }
    const unexpected = actual.count - (this.expected.count - this.missing);
    if (unexpected > 0)
      await this.report.write([{ type: "difference", table: this.table.name, kind: "unexpected", count: unexpected }]);
    return {
      source: { count: this.expected.count, checksum: this.expected.hex },
      target: { count: actual.count, checksum: actual.hex },
      missing: this.missing,
      different: this.different,
      unexpected,
      ok: this.missing === 0 && this.different === 0 && unexpected === 0 && this.expected.hex === actual.hex,
    };
  }
}

/** How many differences a verdict stands for (at least one when only the checksums disagree). */
const tableDifferences = (verdict: TableVerdict) =>
  verdict.ok ? 0 : Math.max(1, verdict.missing + verdict.different + Math.abs(verdict.unexpected));

const imported = <Row>(batch: PlannedBatch<Row>) =>
  batch.results.flatMap(({ result }) => (result.ok ? [result.row] : []));

/** The inventory invariants (stock, held, holds and ledger chains) the service itself is tested against. */
async function ledgerMismatches(inventory: SqlClient) {
  return (await ledgerViolations(inventory)).length;
}

/**
 * --verify: reads the source again, maps it exactly as the recorded apply did
 * (with its --repair setting), and compares with the target row by row: per
 * table the counts, an order-independent checksum of the mapped columns on
 * each side, the missing and differing rows (each in the report), the stock
 * per goods, the stock records; plus the sequences and the ledger invariant.
 */
export async function verifyEmshop(options: VerifyOptions): Promise<VerifyResult> {
  const { target } = options;
  const shape = await readSourceShape(options.source.goods, options.source.inventory);
  const state = await targetRead("goods", () => readState(target.goods));
  if (!state?.completedAt)
    throw new ImportError(
      "NOT_IMPORTED",
      "no completed `import:emshop -- --apply` is recorded in the target: nothing to verify",
    );
  const repair = state.repair ?? false;
  const plan = new SourcePlan({ source: options.source, shape, repair, batchSize: options.batchSize });
  const report = new JsonLinesReport(options.reportPath);
  let result: VerifyResult | undefined;
  try {
    const checks = {
      category: new TableCheck(categoryTable, target.goods, report),
      brand: new TableCheck(brandTable, target.goods, report),
      category_brand: new TableCheck(categoryBrandTable, target.goods, report),
      banner: new TableCheck(bannerTable, target.goods, report),
      goods: new TableCheck(goodsTable, target.goods, report),
      inventory: new TableCheck(stockTable, target.inventory, report),
      stock_sell: new TableCheck(stockSellTable, target.inventory, report),
    };
    const total = await countSourceRows(options.source);
    let processed = 0;
    const progress = (rows: number) => {
      processed += rows;
      options.onProgress?.(Math.min(processed, total), total);
    };
    for await (const batch of plan.categoryBatches()) {
      await checks.category.batch(imported(batch));
      progress(batch.read);
    }
    for await (const batch of plan.brandBatches()) {
      await checks.brand.batch(imported(batch));
      progress(batch.read);
    }
    for await (const batch of plan.categoryBrandBatches()) {
      await checks.category_brand.batch(imported(batch));
      progress(batch.read);
    }
    for await (const batch of plan.bannerBatches()) {
      await checks.banner.batch(imported(batch));
      progress(batch.read);
    }
    for await (const batch of plan.goodsBatches()) {
      await checks.goods.batch(imported(batch));
      const stocks = batch.stocks.flatMap((stock): StockRow[] =>
        stock.target ? [{ goodsId: stock.goodsId, stocks: stock.target.stocks }] : [],
      );
      await checks.inventory.batch(stocks);
      progress(batch.read + batch.inventoryRead);
    }
    for await (const batch of plan.orphanBatches()) progress(batch.inventoryRead);
    for await (const batch of plan.sellBatches()) {
      await checks.stock_sell.batch(imported(batch));
      progress(batch.read);
    }

    const tables: Record<string, TableVerdict> = {};
    for (const [name, check] of Object.entries(checks)) tables[name] = await check.verdict(options.batchSize);
    const sequences = await targetRead("goods", () => moveSequences(target.goods, plan.maxima, false));
    const ledger = await targetRead("inventory", () => ledgerMismatches(target.inventory));
    await report.write(sequences.map((move) => ({ type: "difference", kind: "sequence", ...move })));
    if (ledger > 0)
      await report.write([{ type: "difference", table: "stock_movement", kind: "ledger", count: ledger }]);
    const differences =
      Object.values(tables).reduce((sum, verdict) => sum + tableDifferences(verdict), 0) + sequences.length + ledger;
    result = {
      status: differences === 0 ? "verified" : "differences",
      repair,
      tables,
      sequences,
      ledgerMismatches: ledger,
      differences,
      reportPath: report.path,
    };
    return result;
  } finally {
    await report.close(result && JSON.parse(JSON.stringify(result)));
  }
}

import type { Problem } from "./problems";

/** The tables of the target, in the order the import fills them. */
export const TABLES = ["category", "brand", "category_brand", "banner", "goods", "inventory", "stock_sell"] as const;
export type TableName = (typeof TABLES)[number];

/**
 * One table's counts. `read` … `skippedByReason` are what the source holds
 * (the same for every run over the same source: they are recorded); `insert` …
 * `rejected` are what this run did, or would do in a dry run. For `inventory`
 * the rows read are emshop inventory rows and the rest counts stock levels
 * (one per imported goods that has a stock).
 */
export class TableCounts {
  read = 0;
  softDeleted = 0;
  skipped = 0;
  repaired = 0;
  skippedByReason: Record<string, number> = {};
  insert = 0;
  update = 0;
  unchanged = 0;
  /** The target changed since the import: kept, reported. */
  conflicts = 0;
  /** The target database refused the row: reported. */
  rejected = 0;

  /** A skipped row, counted once under each of its problems' codes. */
  skip(problems: Problem[] | string[], count = 1) {
    this.skipped += count;
    const codes = problems.map((problem) => (typeof problem === "string" ? problem : problem.code));
    for (const code of new Set(codes)) this.skippedByReason[code] = (this.skippedByReason[code] ?? 0) + count;
  }

  /** What the source holds, for the recorded run. */
  found() {
    return {
      read: this.read,
      softDeleted: this.softDeleted,
      skipped: this.skipped,
      repaired: this.repaired,
      skippedByReason: this.skippedByReason,
    };
  }

  /** Whether this run wrote (or would write) anything to the table. */
  get changes() {
    return this.insert + this.update;
  }
}

export const newCounts = () =>
  Object.fromEntries(TABLES.map((name) => [name, new TableCounts()])) as Record<TableName, TableCounts>;

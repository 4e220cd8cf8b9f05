import { STOCK_CLASSES, type StockClass, type StockComparison } from "./classify";

/** Counts per class and the total absolute drift, accumulated batch by batch. */
export class ReconcileSummary {
  readonly counts = Object.fromEntries(STOCK_CLASSES.map((name) => [name, 0])) as Record<StockClass, number>;
  totalAbsoluteDrift = 0;
  goodsScanned = 0;
  /** Missing inventory rows whose legacy value is negative: they are created with 0. */
  negativeLegacyStocks = 0;

  add(rows: StockComparison[]) {
    for (const row of rows) {
      this.counts[row.class]++;
      if (row.class === "drift")
        this.totalAbsoluteDrift += Math.abs((row.legacyStocks ?? 0) - (row.inventoryStocks ?? 0));
      if (row.class === "missing_inventory" && (row.legacyStocks ?? 0) < 0) this.negativeLegacyStocks++;
    }
  }

  toJSON() {
    return {
      goodsScanned: this.goodsScanned,
      counts: this.counts,
      totalAbsoluteDrift: this.totalAbsoluteDrift,
      negativeLegacyStocks: this.negativeLegacyStocks,
    };
  }

  /** The table printed for people. */
  format(): string {
    const width = "total absolute drift".length;
    const lines = STOCK_CLASSES.map((name) => `  ${name.padEnd(width)}  ${String(this.counts[name]).padStart(10)}`);
    return [
      `  ${"class".padEnd(width)}  ${"goods".padStart(10)}`,
      ...lines,
      `  ${"total absolute drift".padEnd(width)}  ${String(this.totalAbsoluteDrift).padStart(10)}`,
      ...(this.negativeLegacyStocks
        ? [`  (${this.negativeLegacyStocks} missing row(s) have a negative legacy value: created with 0)`]
        : []),
    ].join("\n");
  }
}

import { ReconcileSummary } from "../reconcile/summary";
import { newCounts } from "./counts";
import type { JsonLinesReport } from "./report";

/** The points of an apply where a crash is survivable; the test hook may throw at any of them. */
export type ImportStep =
  /** A goods batch's legacy backup and goods rows are committed, its stock (another database) not yet. */
  | "goods_written"
  /** A batch is complete in every database (the CLI's --fail-after-batches counts these). */
  | "batch_done";

/** What one run has found and done so far, and where it reports. */
export class RunState {
  readonly counts = newCounts();
  /** Reconcile's classes (match, drift, missing_inventory, …) over every live goods and orphan goods id. */
  readonly stock = new ReconcileSummary();
  /** Beyond the classes: goods with several live inventory rows, and imported stocks that were negative. */
  multipleInventoryRows = 0;
  negativeInventoryStocks = 0;
  readonly backups = { legacyStocks: 0, inventoryRows: 0 };
  mergedSellItems = 0;
  private processed = 0;
  private batches = 0;

  constructor(
    readonly apply: boolean,
    readonly report: JsonLinesReport,
    private readonly total: number,
    private readonly onProgress: (processed: number, total: number) => void = () => undefined,
    private readonly afterStep: (step: ImportStep, batch: number) => void | Promise<void> = () => undefined,
  ) {}

  progress(rows: number) {
    this.processed += rows;
    this.onProgress(Math.min(this.processed, this.total), this.total);
  }

  /** The hook after a step of the batch being written (1-based count of written batches). */
  async step(step: ImportStep) {
    if (!this.apply) return;
    if (step === "batch_done") this.batches++;
    await this.afterStep(step, step === "batch_done" ? this.batches : this.batches + 1);
  }

  /** Whether this run wrote anything (a second full run writes nothing and says so). */
  get wroteAnything() {
    return (
      Object.values(this.counts).some((counts) => counts.changes > 0) ||
      this.backups.legacyStocks > 0 ||
      this.backups.inventoryRows > 0
    );
  }

  /** What the source holds (the same for every run over the same source): recorded after a completed apply. */
  found() {
    return {
      tables: Object.fromEntries(Object.entries(this.counts).map(([name, counts]) => [name, counts.found()])),
      stock: this.stock.toJSON(),
      multipleInventoryRows: this.multipleInventoryRows,
      negativeInventoryStocks: this.negativeInventoryStocks,
    };
  }
}

import { once } from "node:events";
import { createWriteStream, mkdirSync } from "node:fs";
import { dirname } from "node:path";

/**
 * The JSON-lines report, streamed batch by batch (waiting for the stream to
 * drain), so its size never lives in memory. One line per row that needs a
 * look, with a `type`:
 *  - `skipped`    {table, key, problems: [{code, field, message}]}: not imported
 *  - `repaired`   {table, key, repairs: [{code, field, message, repair}]}: imported with --repair
 *  - `merged`     {table: "stock_sell", key}: items of one goods added up (as sellStock does)
 *  - `stock`      {goodsId, class, legacyStocks, inventoryStocks, resolution, …}: every goods whose
 *                 stock is not a plain match (the reconcile report's fields), and every goods with
 *                 several inventory rows (`rule`, `chosenRowId`, `rows`)
 *  - `conflict`   {table, key, reason}: the target changed since the import; kept
 *  - `rejected`   {table, key, error}: the target database refused the row
 *  - `difference` {table, key, kind, source, target} (--verify)
 *  - `summary`    the last line: the result printed with --json
 * The stock lines have the reconcile report's fields (the same classes), so
 * tools reading that report read these too. (Its writer, reconcile/report.ts,
 * writes stock comparisons only; this one writes every kind above.)
 */
export class JsonLinesReport {
  private readonly stream;
  rows = 0;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.stream = createWriteStream(path, { encoding: "utf8" });
  }

  async write(lines: object[]) {
    if (lines.length === 0) return;
    this.rows += lines.length;
    if (!this.stream.write(`${lines.map((line) => JSON.stringify(line)).join("\n")}\n`))
      await once(this.stream, "drain");
  }

  async close(summary?: object) {
    if (summary) this.stream.write(`${JSON.stringify({ type: "summary", ...summary })}\n`);
    this.stream.end();
    await once(this.stream, "finish");
  }
}

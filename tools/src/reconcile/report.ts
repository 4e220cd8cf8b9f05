import { once } from "node:events";
import { createWriteStream, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { resolution, type StockComparison } from "./classify";

/**
 * The full report: one JSON line per goods that does not match, with both
 * values and what --apply does about it. Streamed to the file batch by batch
 * (waiting for the stream to drain), so its size never lives in memory.
 */
export class ReportWriter {
  private readonly stream;
  rows = 0;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.stream = createWriteStream(path, { encoding: "utf8" });
  }

  async write(rows: StockComparison[]) {
    const lines = rows
      .filter((row) => row.class !== "match")
      .map((row) =>
        JSON.stringify({
          goodsId: row.goodsId,
          class: row.class,
          legacyStocks: row.legacyStocks,
          inventoryStocks: row.inventoryStocks,
          resolution: resolution(row),
        }),
      );
    if (lines.length === 0) return;
    this.rows += lines.length;
    if (!this.stream.write(`${lines.join("\n")}\n`)) await once(this.stream, "drain");
  }

  async close() {
    this.stream.end();
    await once(this.stream, "finish");
  }
}

import { ReconcileSummary } from "../reconcile/summary";
import { TABLES } from "./counts";
import type { ImportResult } from "./import";
import type { VerifyResult } from "./verify";

const row = (cells: (string | number)[], widths: number[]) =>
  `  ${cells.map((cell, index) => (index === 0 ? String(cell).padEnd(widths[0] ?? 0) : String(cell).padStart(widths[index] ?? 0))).join("  ")}`;

/** The table printed for people after a dry run or an apply. */
export function formatImport(result: ImportResult): string {
  const would = result.status === "dry_run" ? "would " : "";
  const header = [
    "table",
    "read",
    "soft-deleted",
    "skipped",
    "repaired",
    `${would}insert`,
    `${would}update`,
    "unchanged",
    "conflicts",
    "rejected",
  ];
  const widths = header.map((cell, index) => Math.max(cell.length, index === 0 ? 14 : 8));
  const lines = [row(header, widths)];
  for (const name of TABLES) {
    const counts = result.tables[name];
    lines.push(
      row(
        [
          name,
          counts.read,
          counts.softDeleted,
          counts.skipped,
          counts.repaired,
          counts.insert,
          counts.update,
          counts.unchanged,
          counts.conflicts,
          counts.rejected,
        ],
        widths,
      ),
    );
  }
  const reasons = TABLES.flatMap((name) => {
    const entries = Object.entries(result.tables[name].skippedByReason);
    return entries.length === 0 ? [] : [`  ${name}: ${entries.map(([code, count]) => `${code} ${count}`).join(", ")}`];
  });
  const stock = Object.assign(new ReconcileSummary(), {
    counts: result.stock.counts,
    totalAbsoluteDrift: result.stock.totalAbsoluteDrift,
    goodsScanned: result.stock.goodsScanned,
    negativeLegacyStocks: result.stock.negativeLegacyStocks,
  });
  return [
    ...lines,
    ...(reasons.length ? ["", "skipped, by reason (inventory: rows not imported):", ...reasons] : []),
    "",
    "stock per goods (inventory wins; of several inventory rows, the lowest-id live one, the row emshop read):",
    stock.format(),
    `  goods with several live inventory rows: ${result.stock.multipleInventoryRows}`,
    ...(result.stock.negativeInventoryStocks
      ? [`  negative inventory stocks imported as 0: ${result.stock.negativeInventoryStocks}`]
      : []),
    ...(result.mergedSellItems ? [`  order records whose items were merged per goods: ${result.mergedSellItems}`] : []),
    "",
    result.sequences.length
      ? `id sequences ${would}moved: ${result.sequences.map((move) => `${move.table} next id ${move.from} → ${move.to}`).join(", ")}`
      : "id sequences: already past every emshop id",
  ].join("\n");
}

/** The verdicts printed for people after --verify. */
export function formatVerify(result: VerifyResult): string {
  const header = ["table", "source rows", "target rows", "missing", "different", "unexpected", "checksums"];
  const widths = header.map((cell, index) => Math.max(cell.length, index === 0 ? 14 : 8));
  const lines = [row(header, widths)];
  for (const [name, verdict] of Object.entries(result.tables))
    lines.push(
      row(
        [
          name,
          verdict.source.count,
          verdict.target.count,
          verdict.missing,
          verdict.different,
          verdict.unexpected,
          verdict.source.checksum === verdict.target.checksum ? "equal" : "DIFFER",
        ],
        widths,
      ),
    );
  return [
    ...lines,
    `  sequences still below an emshop id: ${result.sequences.length}`,
    `  goods whose ledger does not add up to their stock: ${result.ledgerMismatches}`,
  ].join("\n");
}

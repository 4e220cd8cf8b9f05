import type { CorrectnessFigures } from "./correctness";
import type { CpuProcess, CpuSeconds } from "./cpu";
import type { SideSummary } from "./throughput";

/** Columns padded to their widest cell; numbers right-aligned. */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const line = (cells: string[]) =>
    `  ${cells
      .map((cell, column) =>
        /^[\d.–-]+( \/ [\d.–-]+)?$/.test(cell) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join("  ")
      .trimEnd()}`;
  return [line(header), ...rows.map(line)].join("\n");
}

const fixed = (value: number | null | undefined, digits = 0) =>
  value === null || value === undefined || !Number.isFinite(value) ? "–" : value.toFixed(digits);

const CPU_COLUMNS: CpuProcess[] = ["inventory", "gateway", "postgres", "bench"];
const cpuCells = (cpu: CpuSeconds) => CPU_COLUMNS.map((name) => fixed(cpu[name], 3));

export function correctnessTable(results: CorrectnessFigures[]): string {
  return table(
    [
      "correctness target",
      "sold",
      "insufficient",
      "calls",
      "doubleTaken",
      "sells/s",
      "refused/s",
      "p50 ms",
      "p99 ms",
      "sold-out tail n",
      "tail p99 ms",
      ...CPU_COLUMNS.map((name) => `${name} CPU ms/answer`),
      "limit",
      "checks",
    ],
    results.map((result) => [
      result.target,
      String(result.sold),
      String(result.insufficient),
      String(result.calls),
      String(result.doubleTaken),
      fixed(result.sellsPerSec),
      fixed(result.refusedPerSec),
      fixed(result.p50Ms, 1),
      fixed(result.p99Ms, 1),
      String(result.soldOutTail.answers),
      fixed(result.soldOutTail.p99Ms, 1),
      ...cpuCells(result.cpuMsPerAnswer),
      result.limit,
      result.failures.length === 0 ? "PASS" : `FAIL (${result.failures.length})`,
    ]),
  );
}

export function throughputTable(rows: { target: string; summary: SideSummary }[]): string {
  return table(
    [
      "throughput target (median of rounds)",
      "sells/s",
      "p50 ms",
      "p99 ms",
      "refused/s",
      ...CPU_COLUMNS.map((name) => `${name} CPU ms/sell`),
      "sells/batch",
      "limit",
    ],
    rows.map(({ target, summary }) => [
      target,
      fixed(summary.sellsPerSec),
      fixed(summary.p50Ms, 1),
      fixed(summary.p99Ms, 1),
      fixed(summary.refusedPerSec, 1),
      ...cpuCells(summary.cpuMsPerSell),
      fixed(summary.meanBatch, 1),
      summary.limit,
    ]),
  );
}

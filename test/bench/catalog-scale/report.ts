import type { ExplainedStatement } from "./explain";
import type { QueryResult, VariantResult } from "./phase";
import { displayWidth, pad } from "./text";

/** The target: every listed query under 50 ms at p99. */
export const TARGET_P99_MS = 50;

export interface PhaseResult {
  name: "before" | "after";
  /** The migrations applied in this phase's schema (the last one is enough to know it). */
  lastMigration: string;
  /** The machine's 1-minute load average when the phase started and ended: p99s mean little without it. */
  loadAverage: { start: number; end: number };
  queries: QueryResult[];
}

const ms = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? "–" : value.toFixed(1));
const variant = (query: QueryResult, name: VariantResult["variant"]) => query.variants.find((v) => v.variant === name);
/** The variant a storefront sends: the list with the capped count it shows ("1,000+"), or goods(id). */
export const headline = (query: QueryResult) => variant(query, "with totalUpTo") ?? variant(query, "detail");
/** The statements that read the page (everything but the count): one, or two for a deep page (ids, then rows). */
const pageStatements = (query: QueryResult) =>
  (variant(query, "page only") ?? variant(query, "detail"))?.statements.filter((s) => s.role !== "count") ?? [];
const pageSqlMs = (query: QueryResult | undefined) => {
  const statements = query ? pageStatements(query) : [];
  return statements.length ? statements.reduce((sum, s) => sum + s.executionMs, 0) : undefined;
};
const countOf = (query: QueryResult | undefined, name: "with total" | "with totalUpTo") =>
  query && variant(query, name)?.statements.find((s) => s.role === "count");
const access = (found: ExplainedStatement[]) =>
  found.length ? found.flatMap((s) => s.access).join(" + ") || "(no goods scan)" : "–";
const countLabel = (query: QueryResult) => {
  const main = headline(query);
  const total = variant(query, "with total")?.answer.total;
  if (total === undefined) return main?.answer.totalUpTo ? String(main.answer.totalUpTo.count) : "–";
  return total.toLocaleString("en");
};
const remembered = (query: QueryResult) => variant(query, "totalUpTo remembered");
/** Whether the storefront's request meets the target counting in SQL, and with the service's count cache. */
const meets = (query: QueryResult) => {
  const below = (found: VariantResult | undefined) =>
    found === undefined ? "–" : found.latency.p99 < TARGET_P99_MS ? "yes" : "no";
  const again = remembered(query);
  return again ? `${below(headline(query))} / ${below(again)}` : below(headline(query));
};

function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((cell, column) =>
    Math.max(displayWidth(cell), ...rows.map((row) => displayWidth(row[column] ?? ""))),
  );
  const line = (cells: string[]) => `| ${cells.map((cell, column) => pad(cell, widths[column] ?? 0)).join(" | ")} |`;
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n");
}

/**
 * One phase: p99 of the storefront's request (page + `totalUpTo`), of the
 * exact `total` and of the page alone; the SQL's own times; the plans' indexes.
 */
export function phaseTable(phase: PhaseResult): string {
  const rows = phase.queries.map((query) => {
    const main = headline(query);
    const exact = countOf(query, "with total");
    const capped = countOf(query, "with totalUpTo");
    return [
      query.label,
      countLabel(query),
      ms(main?.latency.p50),
      ms(main?.latency.p99),
      String(main?.latency.requests ?? "–"),
      ms(remembered(query)?.latency.p99),
      ms(variant(query, "with total")?.latency.p99),
      ms(variant(query, "page only")?.latency.p99),
      ms(pageSqlMs(query)),
      ms(capped?.executionMs),
      ms(exact?.executionMs),
      access(pageStatements(query)),
      access(capped ? [capped] : []),
      meets(query),
    ];
  });
  return markdownTable(
    [
      "query",
      "total",
      "p50 ms",
      "p99 ms",
      "n",
      "p99 remembered",
      "p99 exact total",
      "p99 page only",
      "page SQL ms",
      "totalUpTo SQL ms",
      "total SQL ms",
      "page plan",
      "totalUpTo plan",
      `p99 < ${TARGET_P99_MS} (SQL / remembered)`,
    ],
    rows,
  );
}

/**
 * Before → after, per query: p99 of the storefront's request (page +
 * `totalUpTo`), with the exact total and without a count, then the SQL alone
 * (EXPLAIN ANALYZE execution time, one run each: far less noisy than HTTP
 * percentiles on a busy machine), and what the "after" plans use.
 */
export function beforeAfterTable(before: PhaseResult, after: PhaseResult): string {
  const rows = after.queries.map((query) => {
    const old = before.queries.find((candidate) => candidate.key === query.key);
    const arrow = (from: number | undefined, to: number | undefined) => `${ms(from)} → ${ms(to)}`;
    const p99 = (result: QueryResult | undefined, name: VariantResult["variant"]) =>
      result && variant(result, name)?.latency.p99;
    return [
      query.label,
      arrow(old && headline(old)?.latency.p99, headline(query)?.latency.p99),
      arrow(old && remembered(old)?.latency.p99, remembered(query)?.latency.p99),
      arrow(p99(old, "with total"), p99(query, "with total")),
      arrow(p99(old, "page only"), p99(query, "page only")),
      arrow(pageSqlMs(old), pageSqlMs(query)),
      arrow(countOf(old, "with totalUpTo")?.executionMs, countOf(query, "with totalUpTo")?.executionMs),
      arrow(countOf(old, "with total")?.executionMs, countOf(query, "with total")?.executionMs),
      access(pageStatements(query)),
      access([countOf(query, "with totalUpTo"), countOf(query, "with total")].filter((s) => s !== undefined)),
      meets(query),
    ];
  });
  return markdownTable(
    [
      "query",
      "p99",
      "p99 remembered",
      "p99 exact total",
      "p99 page only",
      "page SQL",
      "totalUpTo SQL",
      "total SQL",
      "page plan (after)",
      "count plans (after)",
      `p99 < ${TARGET_P99_MS} (SQL / remembered)`,
    ],
    rows,
  );
}

/** Every distinct statement's plan of a phase, labelled. */
export function formatPlans(phase: PhaseResult): string {
  const seen = new Set<string>();
  const blocks: string[] = [];
  for (const query of phase.queries) {
    for (const found of query.variants.flatMap((v) => v.statements)) {
      const key = `${found.sql}\u0000${JSON.stringify(found.values)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      blocks.push(
        `── ${phase.name}: ${query.label} · ${found.role} ──\n${found.sql}\n  values ${JSON.stringify(found.values)}\n${found.plan}`,
      );
    }
  }
  return blocks.join("\n\n");
}

/** Queries whose answers differ between the phases (must be none: indexes change speed, never results). */
export function answerDifferences(before: PhaseResult, after: PhaseResult): string[] {
  const differences: string[] = [];
  for (const query of after.queries) {
    const old = before.queries.find((candidate) => candidate.key === query.key);
    for (const now of query.variants) {
      const then = old?.variants.find((v) => v.variant === now.variant);
      if (then && JSON.stringify(then.answer) !== JSON.stringify(now.answer)) {
        differences.push(
          `${query.label} [${now.variant}]: ${JSON.stringify(then.answer)} → ${JSON.stringify(now.answer)}`,
        );
      }
    }
  }
  return differences;
}

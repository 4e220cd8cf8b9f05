/**
 * The knobs of `npm run bench:catalog-scale`, all environment variables (see
 * the README, "Catalog at scale"). Below SMOKE_BELOW goods the run is a smoke (CI:
 * BENCH_GOODS=20000): fewer requests, a shorter budget, its own results file.
 */
export const SMOKE_BELOW = 100_000;

export interface ScaleSettings {
  goods: number;
  smoke: boolean;
  /** Timed requests per query and variant (after the warm-up). */
  requests: number;
  warmup: number;
  /** A query variant stops early once it has used this much time and has `minRequests` samples. */
  budgetMs: number;
  minRequests: number;
  /** The last migration of the "before" schema; later ones are applied between the phases. Null: one phase. */
  before: string | null;
  keepDatabase: boolean;
  resultsDir: string;
}

function positiveInteger(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text.replace(/[_,]/g, ""));
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${text}"`);
  return value;
}

export function scaleSettings(): ScaleSettings {
  const goods = positiveInteger("BENCH_GOODS", 1_000_000);
  const smoke = goods < SMOKE_BELOW;
  const before = process.env.BENCH_BEFORE ?? "0004_catalog_change_notify.sql";
  return {
    goods,
    smoke,
    requests: positiveInteger("BENCH_REQUESTS", smoke ? 5 : 200),
    warmup: positiveInteger("BENCH_WARMUP", smoke ? 1 : 20),
    budgetMs: positiveInteger("BENCH_BUDGET_S", smoke ? 1 : 10) * 1000,
    minRequests: positiveInteger("BENCH_MIN_REQUESTS", smoke ? 3 : 10),
    before: before === "" || before === "none" ? null : before,
    keepDatabase: process.env.BENCH_KEEP_DATABASE === "1",
    resultsDir: process.env.BENCH_RESULTS_DIR ?? "bench-results",
  };
}

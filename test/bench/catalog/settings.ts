import { positive } from "../env-settings";
import { TARGET_KEYS, type TargetKey } from "./targets";

/** The knobs of `npm run bench`, from the environment (documented in docs/bench-catalog.md). */
export interface BenchSettings {
  smoke: boolean;
  rounds: number;
  seconds: number;
  warmupSeconds: number;
  connections: number;
  wrkThreads: number;
  seed: number;
  /** LOG_LEVEL of every service process and of Hive: per-request info lines would cost each of them CPU. */
  logLevel: string;
  targets: TargetKey[];
  resultsDir: string;
}

function targetsOf(raw: string | undefined): TargetKey[] {
  if (!raw) return [...TARGET_KEYS];
  const keys = raw.split(",").map((key) => key.trim().toUpperCase());
  for (const key of keys)
    if (!TARGET_KEYS.includes(key as TargetKey))
      throw new Error(`BENCH_TARGETS: unknown target ${JSON.stringify(key)} (use A, B, C, D)`);
  // Always in A B C D order: the interleaving is part of the method.
  return TARGET_KEYS.filter((key) => keys.includes(key));
}

export function benchSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const smoke = env.BENCH_SMOKE === "1" || env.BENCH_SMOKE === "true";
  // The smoke run is for CI: every piece runs and every answer is checked, the figures mean little.
  return {
    smoke,
    rounds: smoke ? 1 : positive(env, "BENCH_ROUNDS", 3),
    seconds: smoke ? 2 : positive(env, "BENCH_SECONDS", 15),
    warmupSeconds: smoke ? 1 : positive(env, "BENCH_WARMUP_SECONDS", 5),
    connections: smoke ? 10 : positive(env, "BENCH_CONNECTIONS", 50),
    wrkThreads: positive(env, "BENCH_WRK_THREADS", 1),
    seed: positive(env, "BENCH_SEED", 20261124),
    logLevel: env.BENCH_LOG_LEVEL || "warn",
    targets: targetsOf(env.BENCH_TARGETS),
    resultsDir: env.BENCH_RESULTS_DIR || "bench-results",
  };
}

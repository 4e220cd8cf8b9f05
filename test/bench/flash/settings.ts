import { join } from "node:path";
import { repoRoot } from "@emshop/db/paths";
import { positive } from "../env-settings";

/** The knobs of `npm run bench:flash`, from the environment. */
export interface FlashSettings {
  smoke: boolean;
  /** Distinct orderSns per correctness target (1 unit each). */
  orders: number;
  /** Units of the flash goods at the start of each correctness target. */
  initialStock: number;
  /** Exact repeats of earlier orderSns, as a share of `orders`. */
  retryShare: number;
  /** Repeats of earlier orderSns with other items (2 units instead of 1), as a share of `orders`. */
  conflictShare: number;
  /** Concurrent HTTP clients (correctness and throughput) and concurrent in-process loops. */
  clients: number;
  /** Duration of each target's run in a throughput round. */
  seconds: number;
  /** Interleaved throughput rounds (on, off / off, on / …). */
  rounds: number;
  /** The coalescer's cap, in the services and in-process. */
  maxBatch: number;
  /** PostgreSQL connections of the in-process phase's pool. */
  inProcessPoolSize: number;
  seed: number;
  resultsDir: string;
}

export function flashSettings(env: NodeJS.ProcessEnv = process.env): FlashSettings {
  const smoke = env.BENCH_SMOKE === "1" || env.BENCH_SMOKE === "true";
  // The smoke run is for CI: every phase runs and every check is made; the figures mean little.
  const setting = (name: string, full: number, short: number) => positive(env, name, smoke ? short : full);
  return {
    smoke,
    orders: setting("BENCH_ORDERS", 10_000, 500),
    initialStock: setting("BENCH_STOCK", 2_000, 100),
    retryShare: 0.05,
    conflictShare: 0.01,
    clients: setting("BENCH_CLIENTS", 200, 50),
    seconds: setting("BENCH_SECONDS", 20, 2),
    rounds: setting("BENCH_ROUNDS", 3, 1),
    maxBatch: positive(env, "SELL_GROUP_COMMIT_MAX_BATCH", 200),
    inProcessPoolSize: 20,
    seed: positive(env, "BENCH_SEED", 20261203),
    resultsDir: env.BENCH_RESULTS_DIR || join(repoRoot, "bench-results"),
  };
}

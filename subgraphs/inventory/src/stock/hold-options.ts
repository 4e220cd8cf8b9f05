import { badUserInput } from "@emshop/common/errors";
import { type Clock, systemClock } from "./holds";

/** How long holds may last and how the sweeper runs (HOLD_* settings, ../config.ts). */
export interface HoldOptions {
  clock: Clock;
  minTtlSeconds: number;
  maxTtlSeconds: number;
  defaultTtlSeconds: number;
  /** How often the sweeper looks for expired holds (0: never, e.g. in tests that drive it). */
  sweepIntervalMs: number;
  /** Holds ended per sweeper transaction. */
  sweepBatchSize: number;
}

export const DEFAULT_HOLDS: HoldOptions = {
  clock: systemClock,
  minTtlSeconds: 30,
  maxTtlSeconds: 86_400,
  defaultTtlSeconds: 900,
  sweepIntervalMs: 5_000,
  sweepBatchSize: 500,
};

/** `ttlSeconds` of holdStock: the default when absent, else within the configured bounds. */
export function parseTtlSeconds(value: number | null | undefined, options: HoldOptions): number {
  if (value === null || value === undefined) return options.defaultTtlSeconds;
  if (!Number.isInteger(value) || value < options.minTtlSeconds || value > options.maxTtlSeconds)
    throw badUserInput(
      "ttlSeconds",
      `must be an integer from ${options.minTtlSeconds} to ${options.maxTtlSeconds} (seconds)`,
    );
  return value;
}

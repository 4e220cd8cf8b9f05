import { Counter, Histogram, metricOf, type Registry } from "@emshop/common/metrics/registry";

/** What the group commit reports (README "Flash sales"). */
export interface GroupCommitMetrics {
  /** One batch ran with this many sells (1: a sell of an idle goods, by itself). */
  batch(size: number): void;
  /** How long one sell waited for the batch before it (seconds). */
  queueWait(seconds: number): void;
}

export function groupCommitMetrics(registry: Registry): GroupCommitMetrics {
  const sizes = metricOf(
    registry,
    "stock_sell_batch_size",
    () =>
      new Histogram({
        name: "stock_sell_batch_size",
        help: "Sells and holds per group-commit batch of one goods (1: the goods was idle, it ran by itself)",
        buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
        registers: [registry],
      }),
  );
  const waits = metricOf(
    registry,
    "stock_sell_queue_wait_seconds",
    () =>
      new Histogram({
        name: "stock_sell_queue_wait_seconds",
        help: "Time a sell or hold waited for the batch of its goods before it",
        buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
        registers: [registry],
      }),
  );
  const coalesced = metricOf(
    registry,
    "stock_sells_coalesced_total",
    () =>
      new Counter({
        name: "stock_sells_coalesced_total",
        help: "Sells and holds that ran in a batch with others (one row lock and one commit for the batch)",
        registers: [registry],
      }),
  );
  return {
    batch(size) {
      sizes.observe(size);
      if (size > 1) coalesced.inc(size);
    },
    queueWait: (seconds) => waits.observe(seconds),
  };
}

import { Counter, DURATION_BUCKETS, Gauge, Histogram, type Registry } from "@emshop/common/metrics/registry";
import type { CircuitStateName, SubgraphCircuits } from "./circuit-breaker";

/** How one fetch from a subgraph ended (see ResilientDataSource.process). */
export type FetchOutcome = "ok" | "error" | "timeout" | "short_circuited";

/** Records each subgraph fetch: `subgraph_fetches_total` and `subgraph_fetch_duration_seconds`. */
export interface SubgraphFetchMetrics {
  record(subgraph: string, outcome: FetchOutcome, seconds: number): void;
}

export function subgraphFetchMetrics(registry: Registry): SubgraphFetchMetrics {
  const labelNames = ["subgraph", "outcome"] as const;
  const fetches = new Counter({
    name: "subgraph_fetches_total",
    help: "Fetches from subgraphs, by outcome: ok, error (no usable answer), timeout, short_circuited (circuit open)",
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "subgraph_fetch_duration_seconds",
    help: "Time one subgraph fetch took, including waiting for its timeout",
    labelNames,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  return {
    record(subgraph, outcome, seconds) {
      fetches.inc({ subgraph, outcome });
      duration.observe({ subgraph, outcome }, seconds);
    },
  };
}

/** A per-subgraph histogram of how many callers each call carried. */
function batchSizeMetric(
  registry: Registry,
  name: string,
  help: string,
  buckets: number[],
): (subgraph: string, callers: number) => void {
  const batches = new Histogram({
    name,
    help,
    labelNames: ["subgraph"] as const,
    buckets,
    registers: [registry],
  });
  return (subgraph, callers) => batches.observe({ subgraph }, callers);
}

/** `subgraph_entity_batch_fetches`: how many requests' entity fetches each combined `_entities` call carried. */
export const entityBatchMetric = (registry: Registry) =>
  batchSizeMetric(
    registry,
    "subgraph_entity_batch_fetches",
    "Entity fetches (of different client requests) combined into one _entities call to a subgraph",
    [1, 2, 3, 5, 8, 13, 21, 50],
  );

/** `subgraph_operation_batch_operations`: how many requests' queries each HTTP call to a subgraph carried. */
export const operationBatchMetric = (registry: Registry) =>
  batchSizeMetric(
    registry,
    "subgraph_operation_batch_operations",
    "Queries (of different client requests) sent to a subgraph in one batched HTTP call (1: sent alone)",
    // 20: a full batch at the default SUBGRAPH_BATCH_OPERATIONS.
    [1, 2, 3, 5, 8, 13, 20, 50],
  );

const STATE_VALUES: Record<CircuitStateName, number> = { closed: 0, "half-open": 1, open: 2 };

/** `subgraph_circuit_state{subgraph}`: 0 closed, 1 half-open, 2 open, read from the breakers at scrape time. */
export function circuitStateMetric(registry: Registry, circuits: SubgraphCircuits, subgraphs: readonly string[]) {
  return new Gauge({
    name: "subgraph_circuit_state",
    help: "State of the gateway's circuit breaker per subgraph: 0 closed, 1 half-open, 2 open",
    labelNames: ["subgraph"] as const,
    registers: [registry],
    collect() {
      for (const subgraph of subgraphs) this.set({ subgraph }, STATE_VALUES[circuits.for(subgraph).state]);
    },
  });
}

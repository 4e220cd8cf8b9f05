import { readFileSync } from "node:fs";
import { ApolloGateway } from "@apollo/gateway";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { type ExposureOptions, exposureOptions } from "@emshop/common/limits/apollo-options";
import type { Logger } from "pino";
import { type PersistedQueriesOptions, persistedQueriesCache, persistedQueriesPlugin } from "./apq-cache";
import { type CircuitOptions, SubgraphCircuits } from "./circuit-breaker";
import type { GatewayContext } from "./context";
import { EntityBatches } from "./entity-batches";
import { ideLandingPage } from "./ide/landing-page";
import { OperationBatches } from "./operation-batches";
import { SharedReads } from "./shared-reads";
import { ResilientDataSource, type SubgraphTimeouts } from "./subgraph-data-source";
import { SubgraphHttpClient, type SubgraphHttpClientOptions } from "./subgraph-http-client";
import { circuitStateMetric, entityBatchMetric, operationBatchMetric, subgraphFetchMetrics } from "./subgraph-metrics";
import { defaultSubgraphUrls, defaultSupergraphPath } from "./subgraphs";
import { supergraphForGateway } from "./supergraph-for-gateway";

export interface GatewayOptions extends ExposureOptions {
  /** Subgraph name → URL (default: the local ports). */
  subgraphUrls?: Record<string, string>;
  /** Per-subgraph-request timeouts (default 2 s for queries, 15 s for mutations). */
  timeouts?: Partial<SubgraphTimeouts>;
  /** Connections to each subgraph: keep-alive sockets held, largest answer read. */
  connections?: SubgraphHttpClientOptions;
  /** Per-subgraph circuit breaker settings (default: open after 5 failures in a row, probe after 5 s). */
  circuit?: Partial<CircuitOptions>;
  /** The breakers to use (e.g. shared with readiness); default: new ones from `circuit`. */
  circuits?: SubgraphCircuits;
  supergraphSdl?: string;
  /** Where to read the supergraph from when `supergraphSdl` is not given. */
  supergraphPath?: string;
  /** Let @apollo/gateway report usage to Apollo (default false). */
  telemetry?: boolean;
  includeStacktrace?: boolean;
  plugins?: ApolloServerPlugin<GatewayContext>[];
  /** Where Automatic Persisted Queries are stored (default: this process's memory). */
  persistedQueries?: PersistedQueriesOptions;
  /** Share identical subgraph queries in flight at the same time (default true; ./shared-reads.ts). */
  shareReads?: boolean;
  /**
   * Entity fetches of different requests in one event-loop turn go as one call of at most this many
   * representations (default 500; 0: each fetch alone; ./entity-batches.ts).
   */
  batchEntities?: number;
  /**
   * The other queries of different requests in one event-loop turn go to a subgraph as one batched
   * HTTP call of at most this many operations (default 20; 0 or 1: each alone; ./operation-batches.ts).
   */
  batchOperations?: number;
  /** Where the APQ store's warnings go (default: console.warn). */
  logger?: Logger;
}

/** Half the subgraphs' default MAX_ENTITIES (1000), so a combined call is never refused for its size. */
export const DEFAULT_BATCH_ENTITIES = 500;

/** Well below the subgraphs' default MAX_BATCH_OPERATIONS (50); under load a turn holds a few. */
export const DEFAULT_BATCH_OPERATIONS = 20;

export const DEFAULT_TIMEOUTS: SubgraphTimeouts = { queryMs: 2000, mutationMs: 15_000 };

/**
 * Builds (does not start) the gateway from the committed, static supergraph:
 * no introspection of subgraphs at start, so it starts even when they are down
 * and serves exactly the schema that CI checked.
 */
export function createGateway(options: GatewayOptions = {}) {
  const urls = { ...defaultSubgraphUrls, ...options.subgraphUrls };
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const circuits = options.circuits ?? new SubgraphCircuits(options.circuit);
  const batchEntities = options.batchEntities ?? DEFAULT_BATCH_ENTITIES;
  const fetchMetrics = options.metrics ? subgraphFetchMetrics(options.metrics) : undefined;
  const batchMetric = options.metrics && batchEntities > 0 ? entityBatchMetric(options.metrics) : undefined;
  const batchOperations = options.batchOperations ?? DEFAULT_BATCH_OPERATIONS;
  const operationMetric = options.metrics && batchOperations > 1 ? operationBatchMetric(options.metrics) : undefined;
  if (options.metrics) circuitStateMetric(options.metrics, circuits, Object.keys(urls));
  // @apollo/gateway reads this switch from the environment only: otherwise it
  // sends usage metrics to Apollo and probes cloud metadata endpoints at
  // construction. A shop's gateway phones nobody unless its operator opts in.
  process.env.APOLLO_TELEMETRY_DISABLED = options.telemetry ? "false" : "true";
  const gateway = new ApolloGateway({
    supergraphSdl: supergraphForGateway(
      options.supergraphSdl ?? readFileSync(options.supergraphPath ?? defaultSupergraphPath, "utf8"),
    ),
    buildService: ({ name, url }) => {
      const target = urls[name] ?? url ?? "";
      return new ResilientDataSource(
        name,
        target,
        timeouts,
        circuits.for(name),
        fetchMetrics,
        new SubgraphHttpClient(target, options.connections),
        options.shareReads === false ? undefined : new SharedReads(),
        batchEntities > 0
          ? new EntityBatches(batchEntities, batchMetric && ((fetches) => batchMetric(name, fetches)))
          : undefined,
        batchOperations > 1
          ? new OperationBatches(
              batchOperations,
              operationMetric && ((operations) => operationMetric(name, operations)),
            )
          : undefined,
      );
    },
  });
  const exposure = exposureOptions<GatewayContext>("gateway", options);
  const ide = options.production ? undefined : ideLandingPage<GatewayContext>();
  const { logger } = options;
  const apqCache = persistedQueriesCache({
    ...(logger ? { log: (line: string) => logger.warn(line) } : {}),
    ...options.persistedQueries,
  });
  return new ApolloServer<GatewayContext>({
    gateway,
    ...exposure,
    ...(apqCache ? { persistedQueries: { cache: apqCache } } : {}),
    plugins: [
      ...exposure.plugins,
      persistedQueriesPlugin<GatewayContext>(apqCache),
      ...(ide ? [ide] : []),
      ...(options.plugins ?? []),
    ],
    includeStacktraceInErrorResponses: options.includeStacktrace ?? false,
    // The service's own signal handler drains HTTP and closes the database in
    // order; Apollo's would stop Apollo alone and re-raise the signal mid-drain.
    stopOnTerminationSignals: false,
  });
}

import { loadConfig } from "@emshop/common/config/load";
import { httpServiceSettings, limitOptions, shutdownOptions } from "@emshop/common/config/service";
import { boolean, type ConfigOf, httpUrl, integer, milliseconds, port, text } from "@emshop/common/config/settings";
import type { GatewayServiceOptions } from "./main";

/** Every variable the gateway reads (the README's configuration table is rendered from these). */
export const gatewaySettings = {
  GATEWAY_PORT: port(4000, "listening port"),
  GATEWAY_HOST: text({
    default: "0.0.0.0",
    description:
      "interface the gateway listens on (it is the public edge; the subgraphs listen on loopback by default)",
  }),
  GOODS_URL: httpUrl({
    default: "http://localhost:4001/graphql",
    description: "where the gateway finds the goods subgraph",
  }),
  INVENTORY_URL: httpUrl({
    default: "http://localhost:4002/graphql",
    description: "where the gateway finds the inventory subgraph",
  }),
  SUBGRAPH_QUERY_TIMEOUT_MS: milliseconds({
    default: 2000,
    description:
      "the gateway gives up on a subgraph query after this long and answers with what the others returned (`SUBGRAPH_UNAVAILABLE`)",
  }),
  SUBGRAPH_MUTATION_TIMEOUT_MS: milliseconds({
    default: 15000,
    description:
      "the same for mutations: longer, because a write cut off may still commit (send `requestId` and retry safely)",
  }),
  SUBGRAPH_MAX_RESPONSE_BYTES: integer({
    default: 16 * 1024 * 1024,
    min: 1024,
    max: 1024 * 1024 * 1024,
    description:
      "largest answer the gateway reads from a subgraph; a longer one is cut off (`SUBGRAPH_BAD_RESPONSE`), so a misbehaving subgraph cannot exhaust the gateway's memory",
  }),
  SUBGRAPH_MAX_SOCKETS: integer({
    default: 128,
    min: 1,
    max: 100_000,
    description: "keep-alive connections the gateway holds to each subgraph; more concurrent fetches wait for one",
  }),
  SUBGRAPH_SHARE_READS: boolean({
    default: true,
    description:
      "identical subgraph queries in flight at the same time (same query, variables and token) share one call and its answer; `false` sends each",
  }),
  CIRCUIT_FAILURE_THRESHOLD: integer({
    default: 5,
    min: 1,
    max: 1_000_000,
    description:
      "consecutive failures of a subgraph (no connection, query timeout, 5xx without GraphQL) after which the gateway stops calling it and fails fast (`SUBGRAPH_UNAVAILABLE`, `circuitOpen: true`) for `CIRCUIT_COOLDOWN_MS`",
  }),
  CIRCUIT_COOLDOWN_MS: milliseconds({
    default: 5000,
    description:
      "how long an open circuit fails fast before one request is let through to probe the subgraph; it closes when that request is answered",
  }),
  SUPERGRAPH_PATH: text({
    defaultText: "`gateway/supergraph.graphql`",
    description: "the composed supergraph the gateway serves",
  }),
  APOLLO_TELEMETRY_DISABLED: boolean({
    default: true,
    description:
      "`@apollo/gateway` would otherwise send usage metrics to Apollo and probe cloud metadata endpoints; set `false` to opt in",
  }),
  APQ_REDIS_URL: text({
    defaultText: "none",
    secret: true,
    description:
      "Redis for Automatic Persisted Queries, shared by all gateway replicas; unset: each replica keeps its own in memory",
  }),
  ...httpServiceSettings,
};

export type GatewayConfig = ConfigOf<typeof gatewaySettings>;

export const loadGatewayConfig = (env: Record<string, string | undefined>): GatewayConfig =>
  loadConfig("gateway", gatewaySettings, env);

export function gatewayServiceOptions(config: GatewayConfig): GatewayServiceOptions {
  return {
    port: config.GATEWAY_PORT,
    host: config.GATEWAY_HOST,
    subgraphUrls: { goods: config.GOODS_URL, inventory: config.INVENTORY_URL },
    timeouts: { queryMs: config.SUBGRAPH_QUERY_TIMEOUT_MS, mutationMs: config.SUBGRAPH_MUTATION_TIMEOUT_MS },
    connections: { maxResponseBytes: config.SUBGRAPH_MAX_RESPONSE_BYTES, maxSockets: config.SUBGRAPH_MAX_SOCKETS },
    shareReads: config.SUBGRAPH_SHARE_READS,
    circuit: { failureThreshold: config.CIRCUIT_FAILURE_THRESHOLD, cooldownMs: config.CIRCUIT_COOLDOWN_MS },
    ...(config.SUPERGRAPH_PATH ? { supergraphPath: config.SUPERGRAPH_PATH } : {}),
    telemetry: !config.APOLLO_TELEMETRY_DISABLED,
    shutdown: shutdownOptions(config),
    includeStacktrace: config.NODE_ENV === "development",
    limits: limitOptions(config, "gateway"),
    production: config.NODE_ENV === "production",
    persistedQueries: { redisUrl: config.APQ_REDIS_URL },
  };
}

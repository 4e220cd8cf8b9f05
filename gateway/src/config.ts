import { authSettings, DEVELOPMENT_JWT_SECRET, MIN_HS_SECRET_BYTES } from "@emshop/common/config/auth";
import { ConfigError, type ConfigIssue, loadConfig } from "@emshop/common/config/load";
import { httpServiceSettings, limitOptions, shutdownOptions } from "@emshop/common/config/service";
import { boolean, type ConfigOf, httpUrl, integer, milliseconds, port, text } from "@emshop/common/config/settings";
import { stockEventSettings } from "@emshop/common/config/stock-events";
import type { GatewayServiceOptions } from "./main";
import type { FeedCredential, SubscriptionOptions } from "./subscriptions/options";

/** The stockChanged subscription's settings (README "Live stock changes"). */
const subscriptionSettings = {
  SUBSCRIPTION_MAX_GOODS_IDS: integer({
    default: 100,
    min: 1,
    max: 10_000,
    description: "goods one `stockChanged` subscription may name in `goodsIds` (`TOO_MANY_GOODS_IDS`)",
  }),
  SUBSCRIPTION_MAX_PER_CONNECTION: integer({
    default: 10,
    min: 1,
    max: 1000,
    description: "subscriptions open at a time on one WebSocket connection (`TOO_MANY_SUBSCRIPTIONS`)",
  }),
  SUBSCRIPTION_MAX_REPLAY: integer({
    default: 10_000,
    min: 1,
    max: 1_000_000,
    description:
      "stock changes (of all goods) a resume with `after` may replay (`REPLAY_TOO_LONG`: resync); also how far a slow subscriber may fall behind (`SUBSCRIBER_TOO_SLOW`)",
  }),
  SUBSCRIPTION_POLL_MS: milliseconds({
    default: 200,
    min: 10,
    max: 60_000,
    description: "without `NATS_URL`: how often the gateway polls inventory's change feed for live stock changes",
  }),
  SUBSCRIPTION_FEED_TOKEN: text({
    defaultText: "none (the gateway mints its own with `AUTH_JWT_SECRET`)",
    secret: true,
    description:
      "bearer token (scope `stock:audit`) the gateway reads inventory's change feed with, when the subgraphs verify RS256/ES256 tokens (`AUTH_JWT_PUBLIC_KEY`, `AUTH_JWKS_URL`)",
  }),
  // The same variables as inventory's, so one stream name serves both sides.
  ...stockEventSettings,
  // The subgraphs' HS256 secret and claims: the gateway signs its own feed token with them.
  AUTH_JWT_SECRET: authSettings.AUTH_JWT_SECRET,
  AUTH_ISSUER: authSettings.AUTH_ISSUER,
  AUTH_AUDIENCE: authSettings.AUTH_AUDIENCE,
};

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
  SUBGRAPH_BATCH_OPERATIONS: integer({
    default: 20,
    min: 0,
    max: 1000,
    description:
      "the other queries that different requests send to one subgraph in the same event-loop turn, with the same token, go as one batched HTTP call of at most this many operations (keep it at or below the subgraphs' `MAX_BATCH_OPERATIONS`); `0` or `1` sends each",
  }),
  SUBGRAPH_BATCH_ENTITIES: integer({
    default: 500,
    min: 0,
    max: 100_000,
    description:
      "entity fetches (`_entities`) of different requests made in the same event-loop turn, with the same query, variables and token, go to the subgraph as one call of at most this many representations (keep it at or below the subgraphs' `MAX_ENTITIES`); `0` sends each",
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
  ...subscriptionSettings,
  ...httpServiceSettings,
};

export type GatewayConfig = ConfigOf<typeof gatewaySettings>;

export const loadGatewayConfig = (env: Record<string, string | undefined>): GatewayConfig =>
  loadConfig("gateway", gatewaySettings, env);

/**
 * How the gateway signs in to inventory's change feed: a given token, else one
 * it mints with the shared secret. Production refuses the development secret
 * and short secrets, as the subgraphs do (a ConfigError: exit 1, the variable named).
 */
function feedCredential(config: GatewayConfig): FeedCredential {
  if (config.SUBSCRIPTION_FEED_TOKEN) return { kind: "token", token: config.SUBSCRIPTION_FEED_TOKEN };
  const secret = config.AUTH_JWT_SECRET ?? DEVELOPMENT_JWT_SECRET;
  const issues: ConfigIssue[] = [];
  if (config.NODE_ENV === "production") {
    if (secret === DEVELOPMENT_JWT_SECRET)
      issues.push({
        variable: "AUTH_JWT_SECRET",
        value: config.AUTH_JWT_SECRET ? "(hidden)" : '""',
        message:
          "production needs the gateway's credential for inventory's change feed (the stockChanged subscription): the subgraphs' AUTH_JWT_SECRET (not the development secret), or SUBSCRIPTION_FEED_TOKEN",
      });
    else if (Buffer.byteLength(secret) < MIN_HS_SECRET_BYTES)
      issues.push({
        variable: "AUTH_JWT_SECRET",
        value: "(hidden)",
        message: `must be at least ${MIN_HS_SECRET_BYTES} bytes in production`,
      });
  }
  if (issues.length > 0) throw new ConfigError("gateway", issues);
  return { kind: "mint", secret, issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE };
}

/** The subscription's options from the configuration (the feed's URL is INVENTORY_URL's, set in main.ts). */
function subscriptionOptions(config: GatewayConfig): Partial<SubscriptionOptions> {
  return {
    credential: feedCredential(config),
    maxGoodsIds: config.SUBSCRIPTION_MAX_GOODS_IDS,
    maxPerConnection: config.SUBSCRIPTION_MAX_PER_CONNECTION,
    maxReplay: config.SUBSCRIPTION_MAX_REPLAY,
    pollIntervalMs: config.SUBSCRIPTION_POLL_MS,
    ...(config.NATS_URL
      ? { nats: { url: config.NATS_URL, stream: config.STOCK_EVENTS_STREAM, subject: config.STOCK_EVENTS_SUBJECT } }
      : {}),
  };
}

export function gatewayServiceOptions(config: GatewayConfig): GatewayServiceOptions {
  return {
    port: config.GATEWAY_PORT,
    host: config.GATEWAY_HOST,
    subgraphUrls: { goods: config.GOODS_URL, inventory: config.INVENTORY_URL },
    timeouts: { queryMs: config.SUBGRAPH_QUERY_TIMEOUT_MS, mutationMs: config.SUBGRAPH_MUTATION_TIMEOUT_MS },
    connections: { maxResponseBytes: config.SUBGRAPH_MAX_RESPONSE_BYTES, maxSockets: config.SUBGRAPH_MAX_SOCKETS },
    shareReads: config.SUBGRAPH_SHARE_READS,
    batchEntities: config.SUBGRAPH_BATCH_ENTITIES,
    batchOperations: config.SUBGRAPH_BATCH_OPERATIONS,
    circuit: { failureThreshold: config.CIRCUIT_FAILURE_THRESHOLD, cooldownMs: config.CIRCUIT_COOLDOWN_MS },
    ...(config.SUPERGRAPH_PATH ? { supergraphPath: config.SUPERGRAPH_PATH } : {}),
    telemetry: !config.APOLLO_TELEMETRY_DISABLED,
    shutdown: shutdownOptions(config),
    includeStacktrace: config.NODE_ENV === "development",
    limits: limitOptions(config, "gateway"),
    production: config.NODE_ENV === "production",
    persistedQueries: { redisUrl: config.APQ_REDIS_URL },
    subscriptions: subscriptionOptions(config),
  };
}

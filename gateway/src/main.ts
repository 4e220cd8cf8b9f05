import { DEVELOPMENT_JWT_SECRET, developmentAuth } from "@emshop/common/config/auth";
import { NotReadyError, type ShutdownOptions, startHttpService } from "@emshop/common/http-service";
import { DEFAULT_LIMITS } from "@emshop/common/limits/options";
import { createLogger } from "@emshop/common/logging/logger";
import { createMetricsRegistry } from "@emshop/common/metrics/registry";
import type { Logger } from "pino";
import { SubgraphCircuits } from "./circuit-breaker";
import { createGatewayContext } from "./context";
import { createGateway, type GatewayOptions } from "./server";
import { defaultSubgraphUrls } from "./subgraphs";
import { subscriptionExtension } from "./subscriptions";
import { DEFAULT_SUBSCRIPTION_LIMITS, type FeedCredential, type SubscriptionOptions } from "./subscriptions/options";

export interface GatewayServiceOptions extends GatewayOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  shutdown?: Partial<ShutdownOptions>;
  /** Where the gateway logs (default: JSON lines, or pretty on a terminal, on stdout). */
  logger?: Logger;
  /** The stockChanged subscription (default: polls the inventory subgraph's feed, development credential). */
  subscriptions?: Partial<SubscriptionOptions>;
}

/** The development key, as the subgraphs verify with it when nothing is configured. */
const developmentCredential: FeedCredential = {
  kind: "mint",
  secret: DEVELOPMENT_JWT_SECRET,
  issuer: developmentAuth.issuer,
  audience: developmentAuth.audience,
};

/** The subscription's options: what is not set follows the gateway's (inventory's URL, CORS origins, limits). */
function subscriptionOptions(options: GatewayServiceOptions, urls: Record<string, string>): SubscriptionOptions {
  const limits = options.limits ?? DEFAULT_LIMITS;
  return {
    feedUrl: urls.inventory ?? defaultSubgraphUrls.inventory ?? "",
    credential: developmentCredential,
    corsOrigins: limits.corsOrigins,
    maxMessageBytes: limits.maxBodyBytes,
    maxTokens: limits.maxTokens,
    ...DEFAULT_SUBSCRIPTION_LIMITS,
    ...options.subscriptions,
  };
}

/** Without these the catalog cannot be served: the gateway is not ready while one of them is not up. */
const REQUIRED_SUBGRAPHS = ["goods"];
/** A subgraph's /health/ready is asked at most this often (concurrent readiness checks share one answer)… */
const PROBE_EVERY_MS = 1000;
/** …and waited for this long. */
const PROBE_TIMEOUT_MS = 500;

/** "up": circuit closed, its /health/ready answers 200; "degraded": closed, but it does not (or the last call failed). */
export type SubgraphHealth = { state: "up" } | { state: "degraded" } | { state: "circuit open"; since: string };

/** GET <origin>/health/ready of a subgraph's GraphQL URL: true for a 200, false for anything else or no answer in time. */
function readyProbe(graphqlUrl: string): () => Promise<boolean> {
  const url = new URL("/health/ready", graphqlUrl).href;
  let last: { at: number; ok: Promise<boolean> } | undefined;
  const probe = async () => {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      await response.arrayBuffer();
      return response.ok;
    } catch {
      return false;
    }
  };
  return () => {
    const now = Date.now();
    if (!last || now - last.at >= PROBE_EVERY_MS) last = { at: now, ok: probe() };
    return last.ok;
  };
}

/**
 * The gateway's readiness: each subgraph's state from its circuit breaker and
 * a cached probe of its own /health/ready. Ready (200) while every required
 * subgraph (goods) has a closed circuit and answers its probe; inventory being
 * down only degrades fields (stocks null), so it shows in the body, not in the
 * status. Only state words go out, never error texts.
 */
export function subgraphReadiness(urls: Record<string, string>, circuits: SubgraphCircuits) {
  const subgraphs = Object.entries(urls).map(([name, url]) => ({
    name,
    circuit: circuits.for(name),
    probe: readyProbe(url),
  }));
  return async () => {
    const notReady: string[] = [];
    const states = await Promise.all(
      subgraphs.map(async ({ name, circuit, probe }): Promise<[string, SubgraphHealth]> => {
        if (circuit.state !== "closed") {
          notReady.push(name);
          return [name, { state: "circuit open", since: circuit.since.toISOString() }];
        }
        const answers = await probe();
        if (!answers) notReady.push(name);
        return [name, { state: answers && circuit.consecutiveFailures === 0 ? "up" : "degraded" }];
      }),
    );
    const details = { subgraphs: Object.fromEntries(states) };
    const missing = REQUIRED_SUBGRAPHS.filter((name) => notReady.includes(name));
    if (missing.length > 0) throw new NotReadyError(`required subgraph not available: ${missing.join(", ")}`, details);
    return details;
  };
}

/**
 * Serves the federated API at /graphql and the stockChanged subscription
 * (WebSocket upgrade of /graphql, event stream at /graphql/stream); ready once
 * the gateway has loaded the supergraph and goods answers.
 */
export async function startGatewayService(options: GatewayServiceOptions = {}) {
  const urls = { ...defaultSubgraphUrls, ...options.subgraphUrls };
  // One breaker per subgraph, shared by the data sources (every request) and readiness.
  const logger = options.logger ?? createLogger({ service: "gateway" });
  const circuits =
    options.circuits ??
    new SubgraphCircuits(options.circuit, (state, name) =>
      logger[state === "closed" ? "info" : "warn"](
        { subgraph: name, circuit: state },
        `circuit for subgraph "${name}": ${state}`,
      ),
    );
  // This gateway's own registry (not prom-client's global): tests run several services in one process.
  const metrics = options.metrics ?? createMetricsRegistry();
  return startHttpService({
    name: "gateway",
    createApollo: (plugins) =>
      createGateway({ ...options, circuits, metrics, logger, plugins: [...plugins, ...(options.plugins ?? [])] }),
    metrics,
    context: createGatewayContext,
    readiness: subgraphReadiness(urls, circuits),
    port: options.port ?? 4000,
    ...(options.host ? { host: options.host } : {}),
    ...(options.shutdown ? { shutdown: options.shutdown } : {}),
    logger,
    ...(options.limits ? { maxBodyBytes: options.limits.maxBodyBytes, corsOrigins: options.limits.corsOrigins } : {}),
    extend: subscriptionExtension(subscriptionOptions(options, urls), logger),
  });
}

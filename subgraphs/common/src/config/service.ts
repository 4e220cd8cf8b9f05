import type { DatabaseOptions } from "@emshop/db/open-database";
import { DEFAULT_MAX_BATCH_OPERATIONS } from "../batch-protocol";
import type { ShutdownOptions } from "../http-service";
import type { LimitOptions } from "../limits/options";
import { LOG_FORMATS, LOG_LEVELS, type LoggerOptions } from "../logging/logger";
import type { SubgraphServiceOptions } from "../subgraph-service";
import { authOptions, authSettings } from "./auth";
import { limitSettings } from "./limits";
import { ConfigError } from "./load";
import { boolean, type ConfigOf, integer, milliseconds, oneOf, text } from "./settings";

/**
 * The interface a subgraph listens on. Loopback by default: a subgraph trusts
 * the gateway to apply the public edge's rules, and although it enforces its
 * own limits and access rules, nothing outside the host should reach it unless
 * an operator says so (`0.0.0.0` behind a network policy that admits only the gateway).
 */
export const subgraphHost = (service: string) =>
  text({
    default: "127.0.0.1",
    description: `interface the ${service} subgraph listens on; \`0.0.0.0\` when the gateway runs on another host (behind a network policy)`,
  });

/** Settings every HTTP service (gateway and subgraphs) reads. */
export const httpServiceSettings = {
  NODE_ENV: oneOf({
    values: ["production", "development", "test"],
    default: "development",
    description:
      "`production` turns introspection, field suggestions and the landing page off and refuses development keys; `development` adds stack traces to error responses",
  }),
  SHUTDOWN_DELAY_MS: milliseconds({
    default: 0,
    min: 0,
    description:
      "on SIGTERM/SIGINT, readiness answers 503 for this long before the listener closes, so load balancers stop routing here first",
  }),
  SHUTDOWN_TIMEOUT_MS: milliseconds({
    default: 10000,
    description: "in-flight requests get this long to finish after the listener closes; then connections are cut",
  }),
  LOG_LEVEL: oneOf({
    values: LOG_LEVELS,
    default: "info",
    description:
      "lowest level logged: `info` gives one line per request (id, operation, duration, outcome, error codes) plus start/stop and state changes",
  }),
  LOG_FORMAT: oneOf({
    values: LOG_FORMATS,
    default: "auto",
    description:
      "`json`: one JSON object per line, for log shippers; `pretty`: one readable line, for people; `auto`: pretty when stdout is a terminal, else JSON",
  }),
  ...limitSettings,
};

/** Settings both subgraphs read besides their database. */
export const subgraphServiceSettings = {
  ...httpServiceSettings,
  ...authSettings,
  MAX_BATCH_OPERATIONS: integer({
    default: DEFAULT_MAX_BATCH_OPERATIONS,
    min: 0,
    max: 1000,
    description:
      "operations one batched request from the gateway may carry (the gateway combines the root queries of one event-loop turn; `BATCH_TOO_LARGE` above); `0` refuses batches",
  }),
  DEMO_DATA: boolean({
    default: true,
    description: "load the demo catalog into an empty *embedded* database at start (never into PostgreSQL)",
  }),
};

type HttpServiceConfig = ConfigOf<typeof httpServiceSettings>;

/** CORS origins: a list of origins, or `*` (any origin) outside production only. */
function corsOrigins(service: string, config: HttpServiceConfig): string[] {
  const origins = (config.CORS_ORIGINS ?? "")
    .split(",")
    .map((origin) => origin.trim())
    .filter(Boolean);
  if (origins.includes("*") && config.NODE_ENV === "production")
    throw new ConfigError(service, [
      {
        variable: "CORS_ORIGINS",
        value: JSON.stringify(config.CORS_ORIGINS),
        message: "`*` (any origin) is refused in production: list the storefront's origins",
      },
    ]);
  const bad = origins.filter((origin) => origin !== "*" && !/^https?:\/\/[^/\s]+$/.test(origin));
  if (bad.length > 0)
    throw new ConfigError(service, [
      {
        variable: "CORS_ORIGINS",
        value: JSON.stringify(config.CORS_ORIGINS),
        message: `origins are scheme://host[:port] without a path: ${bad.join(", ")}`,
      },
    ]);
  return origins;
}

/** The abuse limits from the configuration. */
export const limitOptions = (config: HttpServiceConfig, service = "service"): LimitOptions => ({
  maxDepth: config.MAX_DEPTH,
  maxAliases: config.MAX_ALIASES,
  maxDirectives: config.MAX_DIRECTIVES,
  maxTokens: config.MAX_TOKENS,
  maxCost: config.MAX_COST,
  maxEntities: config.MAX_ENTITIES,
  maxMutationFields: config.MAX_MUTATION_FIELDS,
  maxBodyBytes: config.MAX_BODY_BYTES,
  corsOrigins: corsOrigins(service, config),
});

/** How a service logs, from its configuration. */
export const loggerOptions = (service: string, config: HttpServiceConfig): LoggerOptions => ({
  service,
  level: config.LOG_LEVEL,
  format: config.LOG_FORMAT,
});

export const shutdownOptions = (config: HttpServiceConfig): ShutdownOptions => ({
  delayMs: config.SHUTDOWN_DELAY_MS,
  timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
});

/** A subgraph's run options from its validated configuration. */
export function subgraphServiceOptions(
  service: string,
  listen: { port: number; host: string },
  database: DatabaseOptions,
  config: ConfigOf<typeof subgraphServiceSettings>,
): SubgraphServiceOptions {
  return {
    auth: authOptions(service, config),
    port: listen.port,
    host: listen.host,
    database,
    demoData: config.DEMO_DATA,
    maxBatchOperations: config.MAX_BATCH_OPERATIONS,
    shutdown: shutdownOptions(config),
    includeStacktrace: config.NODE_ENV === "development",
    limits: limitOptions(config, service),
    production: config.NODE_ENV === "production",
  };
}

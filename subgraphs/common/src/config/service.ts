import type { DatabaseOptions } from "@emshop/db/open-database";
import type { ShutdownOptions } from "../http-service";
import type { LimitOptions } from "../limits/options";
import type { SubgraphServiceOptions } from "../subgraph-service";
import { authOptions, authSettings } from "./auth";
import { limitSettings } from "./limits";
import { boolean, type ConfigOf, milliseconds, oneOf, text } from "./settings";

/** Settings every HTTP service (gateway and subgraphs) reads. */
export const httpServiceSettings = {
  HOST: text({ default: "0.0.0.0", description: "interface to listen on" }),
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
  ...limitSettings,
};

/** Settings both subgraphs read besides their database. */
export const subgraphServiceSettings = {
  ...httpServiceSettings,
  ...authSettings,
  DEMO_DATA: boolean({
    default: true,
    description: "load the demo catalog into an empty *embedded* database at start (never into PostgreSQL)",
  }),
};

type HttpServiceConfig = ConfigOf<typeof httpServiceSettings>;

/** The abuse limits from the configuration. */
export const limitOptions = (config: HttpServiceConfig): LimitOptions => ({
  maxDepth: config.MAX_DEPTH,
  maxAliases: config.MAX_ALIASES,
  maxDirectives: config.MAX_DIRECTIVES,
  maxTokens: config.MAX_TOKENS,
  maxCost: config.MAX_COST,
  maxEntities: config.MAX_ENTITIES,
  maxBodyBytes: config.MAX_BODY_BYTES,
  corsOrigins: (config.CORS_ORIGINS ?? "")
    .split(",")
    .map((origin) => origin.trim())
    .filter(Boolean),
});

export const shutdownOptions = (config: HttpServiceConfig): ShutdownOptions => ({
  delayMs: config.SHUTDOWN_DELAY_MS,
  timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
});

/** A subgraph's run options from its validated configuration. */
export function subgraphServiceOptions(
  service: string,
  port: number,
  database: DatabaseOptions,
  config: ConfigOf<typeof subgraphServiceSettings>,
): SubgraphServiceOptions {
  return {
    auth: authOptions(service, config),
    port,
    host: config.HOST,
    database,
    demoData: config.DEMO_DATA,
    shutdown: shutdownOptions(config),
    includeStacktrace: config.NODE_ENV === "development",
    limits: limitOptions(config),
    production: config.NODE_ENV === "production",
  };
}

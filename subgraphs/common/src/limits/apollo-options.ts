import type { ApolloServerOptions, ApolloServerPlugin, BaseContext } from "@apollo/server";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from "@apollo/server/plugin/disabled";
import { formatError } from "../format-error";
import { graphqlOverHttpStatus } from "../graphql-over-http";
import { FiniteNumberLiterals } from "../input/finite-numbers";
import { stringArgumentsPlugin } from "../input/string-arguments";
import { graphqlMetricsPlugin } from "../metrics/graphql-metrics";
import type { Registry } from "../metrics/registry";
import { DEFAULT_LIMITS, type LimitOptions } from "./options";
import { queryLimitsPlugin } from "./plugin";

/** How a service faces the internet: its limits, and production mode. */
export interface ExposureOptions {
  limits?: LimitOptions;
  /** Introspection, field suggestions and the landing page off. */
  production?: boolean;
  /** The service's metrics registry (see ../metrics): requests, durations and error codes go there. None: not counted. */
  metrics?: Registry;
}

/**
 * The Apollo Server settings the gateway and every subgraph share: the abuse
 * limits (token limit while parsing, the rest before execution), NUL bytes
 * refused, production mode, batching off, request-error statuses as GraphQL
 * over HTTP asks.
 */
export function exposureOptions<Context extends BaseContext>(
  service: string,
  options: ExposureOptions,
): Pick<
  ApolloServerOptions<Context>,
  "parseOptions" | "introspection" | "allowBatchedHttpRequests" | "csrfPrevention" | "formatError" | "validationRules"
> & { plugins: ApolloServerPlugin<Context>[] } {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const production = options.production ?? false;
  return {
    parseOptions: { maxTokens: limits.maxTokens },
    validationRules: [FiniteNumberLiterals],
    introspection: !production,
    allowBatchedHttpRequests: false,
    // Off, so the default GET queries of urql, graphql-request and Apollo Client
    // work. Cross-site mutations stay impossible: GET never mutates, POST takes
    // only application/json (which needs a CORS preflight), and the API reads
    // bearer tokens, never cookies (see graphqlMethods in ../http-errors.ts).
    csrfPrevention: false,
    formatError: formatError(service, { hideSuggestions: production }),
    plugins: [
      queryLimitsPlugin<Context>(limits),
      stringArgumentsPlugin<Context>(),
      graphqlOverHttpStatus<Context>(),
      ...(options.metrics ? [graphqlMetricsPlugin<Context>(service, options.metrics)] : []),
      // No schema carries @cacheControl hints and no answer is HTTP-cached by them, yet Apollo's
      // default cache-control plugin runs a hook for every resolved field (measured: ~1% of a
      // subgraph's CPU under catalog load).
      ApolloServerPluginCacheControlDisabled() as ApolloServerPlugin<Context>,
      ...(production ? [ApolloServerPluginLandingPageDisabled() as ApolloServerPlugin<Context>] : []),
    ],
  };
}

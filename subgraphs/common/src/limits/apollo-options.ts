import type { ApolloServerOptions, ApolloServerPlugin, BaseContext } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { formatError } from "../format-error";
import { graphqlOverHttpStatus } from "../graphql-over-http";
import { FiniteNumberLiterals } from "../input/finite-numbers";
import { stringArgumentsPlugin } from "../input/string-arguments";
import { DEFAULT_LIMITS, type LimitOptions } from "./options";
import { queryLimitsPlugin } from "./plugin";

/** How a service faces the internet: its limits, and production mode. */
export interface ExposureOptions {
  limits?: LimitOptions;
  /** Introspection, field suggestions and the landing page off. */
  production?: boolean;
}

/**
 * The Apollo Server settings the gateway and every subgraph share: the abuse
 * limits (token limit while parsing, the rest before execution), NUL bytes
 * refused, production mode, batching off, Apollo's CSRF prevention on.
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
    csrfPrevention: true,
    formatError: formatError(service, { hideSuggestions: production }),
    plugins: [
      queryLimitsPlugin<Context>(limits),
      stringArgumentsPlugin<Context>(),
      graphqlOverHttpStatus<Context>(),
      ...(production ? [ApolloServerPluginLandingPageDisabled() as ApolloServerPlugin<Context>] : []),
    ],
  };
}

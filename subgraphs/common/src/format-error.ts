import { unwrapResolverError } from "@apollo/server/errors";
import type { GraphQLFormattedError } from "graphql";
import { GraphQLError } from "graphql";
import { isDatabaseUnavailable } from "./database-unavailable";
import { DATABASE_UNAVAILABLE_MESSAGE, databaseUnavailableExtensions } from "./errors";
import { isTokenLimitError } from "./limits/plugin";
import { currentRequest } from "./logging/request-context";

export interface FormatErrorOptions {
  /** Production: no "Did you mean …?" suggestions, which would map the schema for a caller without introspection. */
  hideSuggestions?: boolean;
}

const SUGGESTION = / ?Did you mean .*\?$/;

/**
 * Keeps coded errors as they are and hides everything else: an unexpected
 * exception (a driver error, a bug) must not leak SQL or stack traces to
 * clients. It is logged here with its details and sent as a generic
 * INTERNAL_SERVER_ERROR. An error that says the database could not be
 * reached or the connection broke (./database-unavailable.ts: a failover, a
 * restart, the pooler) is sent as DATABASE_UNAVAILABLE with `retryable: true`
 * instead, also without any detail. graphql-js's token limit surfaces as a
 * parse error; it is given the limit's own code.
 */
export function formatError(service: string, options: FormatErrorOptions = {}) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    if (isTokenLimitError(formatted.message))
      return { message: formatted.message.replace(/^Syntax Error: /, ""), extensions: { code: "QUERY_TOO_LARGE" } };
    if (options.hideSuggestions && SUGGESTION.test(formatted.message))
      formatted = { ...formatted, message: formatted.message.replace(SUGGESTION, "") };
    const original = unwrapResolverError(error);
    if (original instanceof GraphQLError) return formatted;
    const logger = currentRequest()?.log;
    const where = {
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
    };
    if (isDatabaseUnavailable(original)) {
      // Expected during a failover; the operator still sees which error it was.
      if (logger) logger.warn({ err: original, path: formatted.path }, "database unavailable");
      else console.error(`[${service}] database unavailable`, original);
      return { message: DATABASE_UNAVAILABLE_MESSAGE, ...where, extensions: databaseUnavailableExtensions() };
    }
    if (formatted.extensions?.code !== "INTERNAL_SERVER_ERROR") return formatted;
    // With its stack, for the operator: the request's logger puts the request id on it.
    if (logger) logger.error({ err: original, path: formatted.path }, "unexpected error");
    else console.error(`[${service}] unexpected error`, original);
    return { message: "Internal server error", ...where, extensions: { code: "INTERNAL_SERVER_ERROR" } };
  };
}

import { unwrapResolverError } from "@apollo/server/errors";
import type { GraphQLFormattedError } from "graphql";
import { GraphQLError } from "graphql";

/**
 * Keeps coded errors as they are and hides everything else: an unexpected
 * exception (a driver error, a bug) must not leak SQL or stack traces to
 * clients. It is logged here with its details and sent as a generic
 * INTERNAL_SERVER_ERROR.
 */
export function formatError(service: string) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof GraphQLError || formatted.extensions?.code !== "INTERNAL_SERVER_ERROR") return formatted;
    console.error(`[${service}] unexpected error`, original);
    return {
      message: "Internal server error",
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: "INTERNAL_SERVER_ERROR" },
    };
  };
}

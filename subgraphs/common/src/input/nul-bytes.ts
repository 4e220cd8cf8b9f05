import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import { type DocumentNode, GraphQLError, Kind, visit } from "graphql";

const NUL = "\u0000";

function variablesHoldNul(value: unknown): boolean {
  if (typeof value === "string") return value.includes(NUL);
  if (Array.isArray(value)) return value.some(variablesHoldNul);
  if (value && typeof value === "object") return Object.values(value).some(variablesHoldNul);
  return false;
}

function documentHoldsNul(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    [Kind.STRING]: (node) => {
      if (node.value.includes(NUL)) found = true;
    },
  });
  return found;
}

/**
 * Refuses any operation whose strings (literals or variables) contain U+0000.
 * PostgreSQL text cannot hold a NUL character at all, so such a value would
 * fail deep in a write as a driver error (INTERNAL_SERVER_ERROR); refusing it
 * here, for every argument of every field at once, makes it the client's
 * BAD_USER_INPUT before anything runs.
 */
export function rejectNulBytes<Context extends BaseContext>(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          if (variablesHoldNul(request.variables) || documentHoldsNul(document))
            throw new GraphQLError("strings must not contain the NUL character (U+0000)", {
              extensions: { code: "BAD_USER_INPUT", http: { status: 400 } },
            });
        },
      };
    },
  };
}

import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import { GraphQLError } from "graphql";
import { measureOperationMemo } from "./measure-memo";
import { LimitErrorCode, type LimitOptions } from "./options";

const refuse = (code: string, message: string, extra: Record<string, unknown>) =>
  new GraphQLError(message, { extensions: { code, ...extra, http: { status: 400 } } });

/** Longest operation name accepted; a longer one is refused, and never echoed back. */
export const MAX_OPERATION_NAME_LENGTH = 100;

const tooLongName = () =>
  refuse("BAD_REQUEST", `operationName must be at most ${MAX_OPERATION_NAME_LENGTH} characters`, {});

function unresolvedOperation(operationName: string | undefined | null) {
  if (operationName == null)
    return refuse(
      "OPERATION_RESOLUTION_FAILURE",
      "the document holds several operations: say which one with operationName",
      {},
    );
  return refuse("OPERATION_RESOLUTION_FAILURE", `the document has no operation named "${operationName}"`, {});
}

/**
 * Refuses an operation that is too deep, too aliased, too decorated with
 * directives or too expensive, after parsing and validation and before any
 * resolver runs (so a refused request never reaches a database or another
 * subgraph). The same plugin runs at the gateway and in each subgraph.
 */
export function queryLimitsPlugin<Context extends BaseContext>(limits: LimitOptions): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          const variables = request.variables ?? {};
          // Client mistakes in choosing the operation are said as such (behind
          // @apollo/gateway they would otherwise surface as a 500 INVALID_GRAPHQL).
          if ((request.operationName?.length ?? 0) > MAX_OPERATION_NAME_LENGTH) throw tooLongName();
          if (!operation) throw unresolvedOperation(request.operationName);
          if (operation.operation === "subscription" && !schema.getSubscriptionType())
            throw refuse("GRAPHQL_VALIDATION_FAILED", "this API has no subscriptions; send a query or a mutation", {});
          const size = measureOperationMemo(schema, document, operation, variables, limits.maxCost);
          if (size.entities > limits.maxEntities)
            throw refuse(
              "BAD_USER_INPUT",
              `_entities takes at most ${limits.maxEntities} representations (got ${size.entities})`,
              { max: limits.maxEntities },
            );
          if (size.aliases > limits.maxAliases)
            throw refuse(
              LimitErrorCode.TooManyAliases,
              `the operation has ${size.aliases} aliases; at most ${limits.maxAliases} are allowed`,
              { aliases: size.aliases, maxAliases: limits.maxAliases },
            );
          if (operation.operation === "mutation" && size.rootFields > limits.maxMutationFields)
            throw refuse(
              LimitErrorCode.TooManyMutations,
              `the mutation has ${size.rootFields} root fields; at most ${limits.maxMutationFields} writes are allowed per request`,
              { mutations: size.rootFields, maxMutationFields: limits.maxMutationFields },
            );
          if (size.depth > limits.maxDepth)
            throw refuse(
              LimitErrorCode.TooDeep,
              `the operation is ${size.depth} fields deep; at most ${limits.maxDepth} is allowed`,
              { depth: size.depth, maxDepth: limits.maxDepth },
            );
          if (size.directives > limits.maxDirectives)
            throw refuse(
              LimitErrorCode.TooManyDirectives,
              `the operation has ${size.directives} directives; at most ${limits.maxDirectives} are allowed`,
              { directives: size.directives, maxDirectives: limits.maxDirectives },
            );
          if (size.cost > limits.maxCost)
            throw refuse(
              LimitErrorCode.TooComplex,
              `the operation could return about ${size.cost} fields; at most ${limits.maxCost} are allowed (ask for smaller pages or fewer nested lists)`,
              { cost: size.cost, maxCost: limits.maxCost },
            );
        },
      };
    },
  };
}

/** graphql-js's own token limit (ApolloServer `parseOptions.maxTokens`) reports a parse error; it is this limit. */
export const isTokenLimitError = (message: string) => /Document contains more th[ae][nt] \d+ tokens/.test(message);

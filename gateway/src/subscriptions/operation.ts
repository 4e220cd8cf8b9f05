import {
  type DocumentNode,
  type ExecutionArgs,
  GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  parse,
  validate,
} from "graphql";

/** What a client sends to subscribe, over either transport (not yet checked). */
export interface SubscribeParams {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

const refuse = (code: string, message: string) => [new GraphQLError(message, { extensions: { code } })];

/**
 * Parses (token-capped, as the gateway's MAX_TOKENS caps queries) and validates
 * one subscription for either transport; the errors are coded the way Apollo
 * codes them at POST /graphql. Only subscriptions are run here.
 */
export function prepareSubscription(
  schema: GraphQLSchema,
  params: SubscribeParams,
  maxTokens: number,
): ExecutionArgs | GraphQLError[] {
  if (typeof params.query !== "string") return refuse("BAD_REQUEST", "query must be a string");
  const variables = params.variables ?? undefined;
  if (variables !== undefined && (typeof variables !== "object" || variables === null || Array.isArray(variables)))
    return refuse("BAD_REQUEST", "variables must be an object");
  const operationName = params.operationName ?? undefined;
  if (operationName !== undefined && typeof operationName !== "string")
    return refuse("BAD_REQUEST", "operationName must be a string");
  let document: DocumentNode;
  try {
    document = parse(params.query, { maxTokens });
  } catch (error) {
    return refuse("GRAPHQL_PARSE_FAILED", (error as Error).message);
  }
  const invalid = validate(schema, document);
  if (invalid.length > 0)
    return invalid.map(
      (error) =>
        new GraphQLError(error.message, {
          nodes: error.nodes ?? null,
          extensions: { code: "GRAPHQL_VALIDATION_FAILED" },
        }),
    );
  const operation = getOperationAST(document, operationName);
  if (!operation)
    return refuse("OPERATION_RESOLUTION_FAILURE", "say which operation of the document to run with operationName");
  if (operation.operation !== "subscription")
    return refuse(
      "BAD_REQUEST",
      "only subscriptions are served here: send queries and mutations to the federated API (POST /graphql)",
    );
  return {
    schema,
    document,
    ...(operationName !== undefined ? { operationName } : {}),
    ...(variables !== undefined ? { variableValues: variables as Record<string, unknown> } : {}),
  };
}

/** prepareSubscription with the schema and caps bound: what a transport calls. */
export type PrepareSubscription = (params: SubscribeParams) => ExecutionArgs | GraphQLError[];

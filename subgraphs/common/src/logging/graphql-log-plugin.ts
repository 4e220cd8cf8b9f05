import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import { operationNameOf, outcomeOf } from "../metrics/graphql-metrics";
import { currentRequest } from "./request-context";

/** Longest operation name put on a line (the limits refuse longer ones anyway). */
const MAX_NAME = 100;

/**
 * Hands the GraphQL facts of a request to its summary line (../logging/request-log):
 * operation name and type, outcome (ok / error / refused, as in the metrics)
 * and the distinct error codes. Names and codes only: the document, the
 * variables and the data never reach a log line.
 */
export function graphqlLogPlugin<Context extends BaseContext>(): ApolloServerPlugin<Context> {
  return {
    // A request Apollo could not read as GraphQL (an empty body, a GET mutation…): no operation ran.
    async invalidRequestWasReceived({ error }) {
      const request = currentRequest();
      if (!request) return;
      const code = (error as { extensions?: { code?: unknown } }).extensions?.code;
      request.graphql = { outcome: "refused", errorCodes: [typeof code === "string" ? code : "BAD_REQUEST"] };
    },
    async requestDidStart() {
      return {
        async willSendResponse(context) {
          const request = currentRequest();
          if (!request) return;
          const { body } = context.response;
          const result = body.kind === "single" ? body.singleResult : body.initialResult;
          const codes = new Set<string>();
          for (const error of result.errors ?? []) {
            const code = error.extensions?.code;
            codes.add(typeof code === "string" ? code.slice(0, 50) : "UNCODED");
          }
          const name = operationNameOf(context);
          request.graphql = {
            ...(name ? { operationName: name.slice(0, MAX_NAME) } : {}),
            ...(context.operation ? { operationType: context.operation.operation } : {}),
            outcome: outcomeOf(result),
            errorCodes: [...codes],
          };
        },
      };
    },
  };
}

import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import { GraphQLError } from "graphql";
import { LimitErrorCode } from "./limits/options";

/** A context that may carry the request's signal (see request-signal.ts). */
interface SignalledContext {
  signal?: AbortSignal;
}

export const REQUEST_ABANDONED = "REQUEST_ABANDONED";

/**
 * Bounds what one request makes a subgraph do while it executes, whatever the
 * estimate before execution said:
 * - the answer it builds: at most `maxFields` resolved fields (the same budget
 *   as the cost limit). The estimate assumes a realistic fan-out for unpaged
 *   lists; data that is wider than assumed (a category with 5,000 children)
 *   is stopped here instead of growing the process until it dies;
 * - abandoned work: once nobody waits for the answer (the caller disconnected
 *   or its deadline passed), no further field starts.
 * Either way the answer is one coded error and no partial data. Fields already
 * running finish (a started write commits or rolls back as a whole); SQL still
 * running is bounded by the database's statement timeout.
 */
export function requestGuardPlugin<Context extends BaseContext>(maxFields: number): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      const signal = (contextValue as SignalledContext).signal;
      let fields = 0;
      let stopped: GraphQLError | undefined;
      return {
        async executionDidStart() {
          return {
            willResolveField() {
              if (stopped) throw stopped;
              if (signal?.aborted) {
                stopped = new GraphQLError(`abandoned: ${(signal.reason as Error | undefined)?.message ?? "aborted"}`, {
                  extensions: { code: REQUEST_ABANDONED },
                });
                throw stopped;
              }
              if (++fields > maxFields) {
                stopped = new GraphQLError(
                  `the answer grew beyond ${maxFields} fields; ask for smaller pages or fewer nested lists`,
                  { extensions: { code: LimitErrorCode.TooComplex, maxCost: maxFields } },
                );
                throw stopped;
              }
            },
          };
        },
        async willSendResponse({ response }) {
          if (!stopped || response.body.kind !== "single") return;
          response.body.singleResult = {
            errors: [{ message: stopped.message, extensions: { ...stopped.extensions } }],
          };
        },
      };
    },
  };
}

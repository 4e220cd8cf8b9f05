import type { ApolloServer, BaseContext } from "@apollo/server";
import type { GraphQLFormattedError } from "graphql";

// biome-ignore lint/suspicious/noExplicitAny: tests assert the response field by field; a loose type keeps them short.
export type Data = Record<string, any>;

export interface OperationResult {
  data?: Data | null;
  errors?: readonly GraphQLFormattedError[];
}

export interface InProcessClient {
  /** Runs one operation in-process with a fresh context, as one HTTP request would. */
  run(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<OperationResult>;
  /** Like `run`, but fails unless the operation succeeded; returns `data`. */
  ok(query: string, variables?: Record<string, unknown>): Promise<Data>;
}

/** `executeOperation` on a subgraph server, with a new context (and new DataLoaders) per call. */
export function inProcessClient<Context extends BaseContext>(
  server: ApolloServer<Context>,
  contextFor: (headers: Record<string, string>) => Context,
): InProcessClient {
  const run = async (query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const response = await server.executeOperation<Data>(
      { query, ...(variables ? { variables } : {}) },
      { contextValue: contextFor(headers) },
    );
    if (response.body.kind !== "single") throw new Error("expected a single result, got an incremental one");
    return response.body.singleResult;
  };
  return {
    run,
    async ok(query, variables) {
      const result = await run(query, variables);
      if (result.errors) throw new Error(`operation failed: ${JSON.stringify(result.errors)}`);
      return result.data ?? {};
    },
  };
}

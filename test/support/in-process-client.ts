import type { ApolloServer, BaseContext } from "@apollo/server";
import type { AuthState } from "@emshop/common/auth/verify";
import type { GraphQLFormattedError } from "graphql";
import { developmentVerifier, token } from "./tokens";

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

/**
 * `executeOperation` on a subgraph server, with a new context (and new
 * DataLoaders) per call. The caller is an admin ("test-admin") unless
 * `headers.authorization` says otherwise ("" for anonymous); the token is
 * verified as the service verifies it, so access rules apply in-process too.
 */
export function inProcessClient<Context extends BaseContext>(
  server: ApolloServer<Context>,
  contextFor: (request: { headers: Record<string, string>; auth: AuthState }) => Context,
): InProcessClient {
  const run = async (query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const effective = "authorization" in headers ? headers : { ...headers, authorization: `Bearer ${await token()}` };
    const auth = await (await developmentVerifier)(effective.authorization || undefined);
    const response = await server.executeOperation<Data>(
      { query, ...(variables ? { variables } : {}) },
      { contextValue: contextFor({ headers: effective, auth }) },
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

import { type GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from "@apollo/gateway";
import { GraphQLError } from "graphql";
import type { GatewayContext } from "./context";

/** Code of the error the gateway adds when a subgraph cannot answer in time. */
export const SUBGRAPH_UNAVAILABLE = "SUBGRAPH_UNAVAILABLE";

/**
 * A subgraph client that gives up after `timeoutMs` and reports failures with
 * a code. Without the timeout a slow subgraph holds the whole response
 * hostage; with it the gateway answers with everything the healthy subgraphs
 * returned, the failed subgraph's fields as null, and a SUBGRAPH_UNAVAILABLE
 * error naming the subgraph (the gateway's own error for a refused
 * connection carries neither code nor subgraph).
 */
export class ResilientDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    readonly serviceName: string,
    url: string,
    readonly timeoutMs: number,
  ) {
    super({
      url,
      fetcher: (input, init) =>
        fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) } as RequestInit) as never,
    });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>) {
    // Health checks and schema loading have no incoming request, hence no context headers.
    const headers: Record<string, string> = (context as Partial<GatewayContext> | undefined)?.forwardedHeaders ?? {};
    for (const [name, value] of Object.entries(headers)) request.http?.headers.set(name, value);
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
    try {
      return await super.process(options);
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      // fetch() reports a refused connection as "fetch failed" with the useful part in `cause`.
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = timedOut
        ? `no answer within ${this.timeoutMs} ms`
        : (cause?.code ?? cause?.message ?? (error as Error).message);
      throw new GraphQLError(`subgraph "${this.serviceName}" is unavailable: ${reason}`, {
        extensions: { code: SUBGRAPH_UNAVAILABLE, serviceName: this.serviceName, timedOut },
      });
    }
  }
}

import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { TIMEOUT_HEADER } from "@emshop/common/request-signal";
import { GraphQLError } from "graphql";
import type { GatewayContext } from "./context";

/** Code of the error the gateway adds when a subgraph cannot be reached or does not answer in time. */
export const SUBGRAPH_UNAVAILABLE = "SUBGRAPH_UNAVAILABLE";
/** Code of the error for an answer that is not GraphQL (e.g. a proxy's HTML error page). */
export const SUBGRAPH_BAD_RESPONSE = "SUBGRAPH_BAD_RESPONSE";

export interface SubgraphTimeouts {
  /** Queries (including the entity fetches that complete a mutation's answer). */
  queryMs: number;
  /** The fetch that carries a mutation: longer, since giving up does not undo a write. */
  mutationMs: number;
}

type SubgraphResponse = Awaited<ReturnType<GraphQLDataSource["process"]>>;

const MUTATION = /^\s*mutation\b/;
const JSON_TYPE = /^application\/(graphql-response\+)?json\b/i;

/** The body as JSON when it says it is JSON and parses; anything else is not a GraphQL answer. */
function parseJson(contentType: string, text: string): unknown {
  if (!JSON_TYPE.test(contentType)) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A GraphQL response body: the subgraph answered, whatever the HTTP status says. */
function isGraphQLResponse(body: unknown): body is SubgraphResponse {
  if (typeof body !== "object" || body === null) return false;
  const { data, errors } = body as { data?: unknown; errors?: unknown };
  return (Array.isArray(errors) && errors.length > 0) || (typeof data === "object" && data !== undefined);
}

/**
 * The gateway's client for one subgraph. It implements @apollo/gateway's
 * GraphQLDataSource itself rather than extending RemoteGraphQLDataSource,
 * whose request path is private: a per-operation timeout, the client's abort
 * signal and the handling of non-2xx answers below all need it.
 *
 * - no connection, a reset, or no answer in time → SUBGRAPH_UNAVAILABLE
 *   (serviceName, timedOut); the gateway answers with everything the healthy
 *   subgraphs returned and this subgraph's fields as null;
 * - a subgraph that answers with GraphQL errors keeps them, with their own codes
 *   (UNAUTHENTICATED, BAD_USER_INPUT, …), whatever the HTTP status (Apollo
 *   Server sends 400 for invalid operations, an auth layer 401/403);
 * - an answer that is not GraphQL → SUBGRAPH_BAD_RESPONSE with its status; a
 *   5xx without a GraphQL body (a proxy with no upstream) counts as unavailable.
 * The timeout is combined with the client's signal (it went away), never replaces it.
 */
export class ResilientDataSource implements GraphQLDataSource<GatewayContext> {
  constructor(
    readonly serviceName: string,
    readonly url: string,
    readonly timeouts: SubgraphTimeouts,
  ) {}

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<SubgraphResponse> {
    const { request } = options;
    if (!request.query) throw new Error("Missing query");
    // Health checks and schema loading have no incoming request, hence no context.
    const context = options.context as Partial<GatewayContext> | undefined;
    const timeoutMs = MUTATION.test(request.query) ? this.timeouts.mutationMs : this.timeouts.queryMs;
    // The deadline travels: the subgraph stops working for this fetch once the gateway stops waiting.
    const headers: Record<string, string> = {
      "content-type": "application/json",
      ...context?.forwardedHeaders,
      [TIMEOUT_HEADER]: String(timeoutMs),
    };
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = context?.signal ? AbortSignal.any([context.signal, timeout]) : timeout;
    const { query, variables, operationName, extensions } = request;

    let status: number;
    let type: string;
    let text: string;
    try {
      const response = await fetch(this.url, {
        method: "POST",
        headers,
        body: JSON.stringify({ query, variables, operationName, extensions }),
        signal,
      });
      status = response.status;
      type = response.headers.get("content-type") ?? "";
      text = await response.text(); // a reset mid-body is still a transport failure
    } catch (error) {
      // fetch() reports a refused connection as "fetch failed" with the useful part in `cause`.
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = timeout.aborted
        ? `no answer within ${timeoutMs} ms`
        : (cause?.code ?? cause?.message ?? (error as Error).message);
      throw this.unavailable(reason, { timedOut: timeout.aborted });
    }
    const body = parseJson(type, text);
    if (isGraphQLResponse(body)) return body;
    if (status >= 500) throw this.unavailable(`HTTP ${status}`, { status });
    // The body itself is not echoed: it may be a proxy's page with internals.
    throw new GraphQLError(`subgraph "${this.serviceName}" answered HTTP ${status} without a GraphQL body`, {
      extensions: { code: SUBGRAPH_BAD_RESPONSE, serviceName: this.serviceName, status },
    });
  }

  private unavailable(reason: string, extra: { timedOut?: boolean; status?: number }) {
    return new GraphQLError(`subgraph "${this.serviceName}" is unavailable: ${reason}`, {
      extensions: { code: SUBGRAPH_UNAVAILABLE, serviceName: this.serviceName, timedOut: false, ...extra },
    });
  }
}

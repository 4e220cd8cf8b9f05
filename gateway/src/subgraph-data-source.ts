import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { REQUEST_ID_HEADER } from "@emshop/common/logging/request-id";
import { TIMEOUT_HEADER } from "@emshop/common/request-signal";
import { type DocumentNode, GraphQLError, Kind, parse, type SelectionSetNode } from "graphql";
import { CircuitOpenError, type FailureClassifier, type SubgraphCircuit } from "./circuit-breaker";
import type { GatewayContext } from "./context";
import type { EntityAnswer, EntityBatches } from "./entity-batches";
import type { OperationBatches } from "./operation-batches";
import type { SharedReads } from "./shared-reads";
import { parseJson, type SubgraphHttpAnswer, SubgraphHttpClient, TransportError } from "./subgraph-http-client";
import type { FetchOutcome, SubgraphFetchMetrics } from "./subgraph-metrics";

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
/** A query whose only root field is `_entities` (how @apollo/gateway writes an entity fetch). */
const ENTITY_FETCH = /^\s*query\b[^{]*\{\s*_entities\s*\(/;
/**
 * Failures the circuit breaker does not count: caused by the client leaving, not by the subgraph,
 * or seen by a caller that joined another caller's call (that call's failure is counted once, for its sender).
 */
const notCounted = new WeakSet<GraphQLError>();

type ResponsePath = readonly (string | number)[];
type ResponsePathOut = (string | number)[];

function parseQuietly(query: string | undefined): DocumentNode | undefined {
  try {
    return query ? parse(query, { noLocation: true }) : undefined;
  } catch {
    return undefined;
  }
}

/** The first field a selection set asks for, as the response names it (its alias if any). */
function firstField(
  selections: SelectionSetNode | undefined,
): { key: string; selections?: SelectionSetNode } | undefined {
  for (const selection of selections?.selections ?? []) {
    if (selection.kind === Kind.FIELD && selection.name.value !== "__typename")
      return {
        key: selection.alias?.value ?? selection.name.value,
        ...(selection.selectionSet ? { selections: selection.selectionSet } : {}),
      };
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const inner = firstField(selection.selectionSet);
      if (inner) return inner;
    }
  }
  return undefined;
}

/**
 * Where in the client's response the fields this fetch should have resolved
 * are: the fetch's position (`pathInIncomingRequest`, where the query plan's
 * "@" means "every element", reported as the first, 0) plus the first field it
 * asks for; for an entity fetch that is the first field inside
 * `_entities { ... on Good { … } }`. E.g. ["goodsList", "items", 0, "stocks"]
 * for the inventory fetch behind a catalog page, ["stock"] for a root field.
 * The path names the first affected field; the error stands for all of them.
 */
export function fetchPath(
  document: DocumentNode | undefined,
  at: ResponsePath | undefined,
): ResponsePathOut | undefined {
  const operation = document?.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  if (!operation) return undefined;
  const root = firstField(operation.selectionSet);
  if (!root) return undefined;
  const base = (at ?? []).map((segment) => (segment === "@" ? 0 : segment));
  if (root.key !== "_entities") return [...base, root.key];
  const field = firstField(root.selections);
  return field ? [...base, field.key] : base;
}

/** The metrics outcome of a failed fetch: the circuit was open, the subgraph did not answer in time, or anything else. */
function fetchOutcomeOf(error: unknown): FetchOutcome {
  const extensions = error instanceof GraphQLError ? error.extensions : {};
  if (extensions.circuitOpen) return "short_circuited";
  if (extensions.timedOut) return "timeout";
  return "error";
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
 * The timeout and the client's signal (it went away) both end the call, whichever comes first.
 */
export class ResilientDataSource implements GraphQLDataSource<GatewayContext> {
  constructor(
    readonly serviceName: string,
    readonly url: string,
    readonly timeouts: SubgraphTimeouts,
    /** Shared by every request to this subgraph; without one, every call goes through. */
    readonly circuit?: SubgraphCircuit,
    /** Where each fetch's outcome and duration are recorded (none: not measured). */
    readonly metrics?: SubgraphFetchMetrics,
    /** The connections to it (default: a client with the default limits). */
    readonly client: SubgraphHttpClient = new SubgraphHttpClient(url),
    /** Identical queries in flight share one call (./shared-reads.ts); none: every query is sent. */
    readonly sharedReads?: SharedReads<SubgraphHttpAnswer>,
    /** Entity fetches of one turn go as one call (./entity-batches.ts); none: each is sent. */
    readonly entityBatches?: EntityBatches,
    /** The other queries of one turn go as one batched call (./operation-batches.ts); none: each is sent. */
    readonly operationBatches?: OperationBatches,
  ) {}

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<SubgraphResponse> {
    if (!this.metrics) return this.fetchThroughCircuit(options);
    const started = performance.now();
    let outcome: FetchOutcome = "error";
    try {
      const response = await this.fetchThroughCircuit(options);
      // Errors with no data at all: the subgraph answered, but nothing usable (e.g. it refused the fetch).
      outcome = response.errors?.length && response.data == null ? "error" : "ok";
      return response;
    } catch (error) {
      outcome = fetchOutcomeOf(error);
      throw error;
    } finally {
      this.metrics.record(this.serviceName, outcome, (performance.now() - started) / 1000);
    }
  }

  private async fetchThroughCircuit(
    options: GraphQLDataSourceProcessOptions<GatewayContext>,
  ): Promise<SubgraphResponse> {
    const { request } = options;
    if (!request.query) throw new Error("Missing query");
    const mutation = MUTATION.test(request.query);
    // Only fetches for a client's operation have a place in a response. Worked out on failure only:
    // the query planner keeps no parsed document unless asked, so the fetch's query is parsed then.
    let located: { path: ResponsePathOut | undefined } | undefined;
    const path = () => {
      located ??= {
        path:
          "incomingRequestContext" in options
            ? fetchPath(options.document ?? parseQuietly(request.query), options.pathInIncomingRequest)
            : undefined,
      };
      return located.path;
    };
    if (!this.circuit) return this.send(options, mutation, path);
    try {
      return await this.circuit.run(() => this.send(options, mutation, path), this.countsAgainst(mutation));
    } catch (error) {
      // Open: nothing was sent (so a mutation did not happen and may be retried), and nobody waited.
      if (error instanceof CircuitOpenError)
        throw this.unavailable("circuit open, failing fast", { circuitOpen: true }, path);
      throw error;
    }
  }

  /**
   * What counts as the subgraph failing: no connection or a reset, a query
   * timeout, a 5xx without a GraphQL body (SUBGRAPH_UNAVAILABLE, not caused by
   * our own client leaving). GraphQL errors (BAD_USER_INPUT, UNAUTHENTICATED…)
   * are answers, not failures, and never reach here as exceptions.
   *
   * Mutations: while the circuit is open they fail fast like everything else
   * (nothing is sent, so nothing is written and a retry is safe). But a
   * mutation that times out is not counted: its timeout is long and a slow
   * write (row locks, a big order) is not evidence that the subgraph is down;
   * counting it would let a few slow writes cut off every catalog read. A
   * mutation that cannot connect, or gets a 5xx, counts like any other call.
   * The probe after the cool-down is different: it has to prove the subgraph
   * answers, so any unavailability of it re-opens the circuit.
   */
  private countsAgainst(mutation: boolean): FailureClassifier {
    return (error, probe) => {
      if (!(error instanceof GraphQLError) || error.extensions.code !== SUBGRAPH_UNAVAILABLE) return false;
      if (probe) return true;
      if (notCounted.has(error)) return false;
      return !(mutation && error.extensions.timedOut);
    };
  }

  private async send(
    options: GraphQLDataSourceProcessOptions<GatewayContext>,
    mutation: boolean,
    path: () => ResponsePathOut | undefined,
  ): Promise<SubgraphResponse> {
    const { request } = options;
    // Health checks and schema loading have no incoming request, hence no context.
    const context = options.context as Partial<GatewayContext> | undefined;
    const timeoutMs = mutation ? this.timeouts.mutationMs : this.timeouts.queryMs;
    // The deadline travels: the subgraph stops working for this fetch once the gateway stops waiting.
    const headers: Record<string, string> = {
      "content-type": "application/json",
      ...context?.forwardedHeaders,
      [TIMEOUT_HEADER]: String(timeoutMs),
    };
    let answer: EntityAnswer;
    try {
      answer = await this.exchange(request, headers, { timeoutMs, mutation, signal: context?.signal });
    } catch (error) {
      if (!(error instanceof TransportError)) throw error;
      const { failure } = error;
      if (failure.kind === "too-large")
        throw this.badResponse(failure.status, `more than ${failure.limit} bytes`, path);
      const reason =
        failure.kind === "timeout"
          ? `no answer within ${timeoutMs} ms`
          : failure.kind === "client-gone"
            ? "the client went away"
            : failure.reason;
      const unavailable = this.unavailable(reason, { timedOut: failure.kind === "timeout" }, path);
      // The client went away first: the subgraph is not to blame (the breaker does not count it).
      if (failure.kind === "client-gone" || error.joined) notCounted.add(unavailable);
      throw unavailable;
    }
    const { status, body } = answer;
    if (isGraphQLResponse(body)) return body;
    if (status >= 500) throw this.unavailable(`HTTP ${status}`, { status }, path);
    // The body itself is not echoed: it may be a proxy's page with internals.
    throw this.badResponse(status, "without a GraphQL body", path);
  }

  /**
   * Sends one fetch and reads its answer: combined with the other entity fetches of this turn
   * (./entity-batches.ts), shared with an identical query in flight (./shared-reads.ts), or alone.
   */
  private async exchange(
    request: GraphQLDataSourceProcessOptions<GatewayContext>["request"],
    headers: Record<string, string>,
    { timeoutMs, mutation, signal }: { timeoutMs: number; mutation: boolean; signal: AbortSignal | undefined },
  ): Promise<EntityAnswer> {
    const { query = "", variables, operationName, extensions } = request;
    // Part of every sharing key: the token (one shopper's never answers another's request) and any other
    // forwarded header; not the request id, which differs per request (the sender's goes with the call).
    const credentials = Object.entries(headers)
      .filter(([name]) => name !== REQUEST_ID_HEADER)
      .join("\u0000");
    // The client left while waiting on a call it shares: the same failure as its own call being cut off.
    const leftWaiting = (error: unknown) => {
      if (signal?.aborted && !(error instanceof TransportError)) throw new TransportError({ kind: "client-gone" });
      throw error;
    };
    const representations = variables?.representations;
    if (this.entityBatches && !mutation && Array.isArray(representations) && ENTITY_FETCH.test(query)) {
      // Same query, other variables and credentials: one call for the fetches of this turn.
      const { representations: _, ...others } = variables as Record<string, unknown>;
      const key = [
        credentials,
        operationName ?? "",
        query,
        JSON.stringify(others),
        JSON.stringify(extensions ?? null),
      ].join("\u0000");
      const combined = (all: unknown[], everyoneLeft: AbortSignal) =>
        this.client.post(
          JSON.stringify({ query, variables: { ...others, representations: all }, operationName, extensions }),
          headers,
          { timeoutMs, idempotent: true, signal: everyoneLeft },
        );
      return this.entityBatches.run(key, representations, combined, signal).catch(leftWaiting);
    }
    const payload = JSON.stringify({ query, variables, operationName, extensions });
    const post = (body: string, cancel: AbortSignal | undefined) =>
      this.client.post(body, headers, { timeoutMs, idempotent: !mutation, ...(cancel ? { signal: cancel } : {}) });
    const { operationBatches } = this;
    // The other queries of this turn with the same credentials: one HTTP call for all of them.
    const send = (cancel: AbortSignal | undefined) =>
      operationBatches && !mutation ? operationBatches.run(credentials, payload, post, cancel) : post(payload, cancel);
    let raw: SubgraphHttpAnswer;
    if (this.sharedReads && !mutation) {
      // Same query, variables and credentials: the same answer. The request id is not part of the key
      // (the subgraph logs the call under the first caller's id).
      const key = `${credentials}\u0000${payload}`;
      raw = await this.sharedReads.run(key, send, signal).catch(leftWaiting);
    } else {
      raw = await send(signal).catch(leftWaiting);
    }
    return { status: raw.status, contentType: raw.contentType, body: parseJson(raw.contentType, raw.text) };
  }

  private badResponse(status: number, what: string, path: () => ResponsePathOut | undefined) {
    const at = path();
    return new GraphQLError(`subgraph "${this.serviceName}" answered HTTP ${status} ${what}`, {
      ...(at ? { path: at } : {}),
      extensions: { code: SUBGRAPH_BAD_RESPONSE, serviceName: this.serviceName, status },
    });
  }

  private unavailable(
    reason: string,
    extra: { timedOut?: boolean; status?: number; circuitOpen?: boolean },
    path: () => ResponsePathOut | undefined,
  ) {
    const at = path();
    return new GraphQLError(`subgraph "${this.serviceName}" is unavailable: ${reason}`, {
      ...(at ? { path: at } : {}),
      extensions: {
        code: SUBGRAPH_UNAVAILABLE,
        serviceName: this.serviceName,
        // The same request may succeed in a moment (another replica, a closed circuit). A mutation
        // may have committed: resend it with the same orderSn/requestId, which applies it once.
        retryable: true,
        timedOut: false,
        circuitOpen: false,
        ...extra,
      },
    });
  }
}

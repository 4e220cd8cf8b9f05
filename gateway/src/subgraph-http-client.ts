import http from "node:http";
import https from "node:https";
import { BATCH_PARTS_HEADER } from "@emshop/common/batch-protocol";

/** What a subgraph sent back, read in full. */
export interface SubgraphHttpAnswer {
  status: number;
  contentType: string;
  text: string;
  /** The parts header of a batch reply (@emshop/common/batch-protocol), when it has one. */
  batchParts?: string;
}

const JSON_TYPE = /^application\/(graphql-response\+)?json\b/i;

/** An answer's body as JSON when it says it is JSON and parses; anything else is not a GraphQL answer. */
export function parseJson(contentType: string, text: string): unknown {
  if (!JSON_TYPE.test(contentType)) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Why no (usable) answer arrived. */
export type TransportFailure =
  /** No connection, a reset, a body cut short: the subgraph did not answer. */
  | { kind: "unreachable"; reason: string }
  /** Nothing within the timeout: the request was cut off. */
  | { kind: "timeout" }
  /** The client's own request ended first (its signal aborted): nobody waits for the answer. */
  | { kind: "client-gone" }
  /** It answered, but more than the gateway reads: the request was cut off. */
  | { kind: "too-large"; status: number; limit: number };

export class TransportError extends Error {
  constructor(
    readonly failure: TransportFailure,
    /** A reused keep-alive connection failed before any answer: the subgraph never saw the request. */
    readonly staleConnection = false,
    /**
     * This caller waited on a call another caller sent (shared or combined): the failure is one
     * failure of the subgraph, counted by the circuit breaker for the caller that sent it only.
     */
    readonly joined = false,
  ) {
    super(failure.kind === "unreachable" ? failure.reason : failure.kind);
  }
}

/** The failure a caller that joined another's call sees: the same, marked as joined. */
export function joinedFailure(error: unknown): unknown {
  return error instanceof TransportError ? new TransportError(error.failure, error.staleConnection, true) : error;
}

/** Idle keep-alive connections are closed after this long (below Node's default server keep-alive of 5 s). */
const IDLE_SOCKET_MS = 4000;

export interface SubgraphHttpClientOptions {
  /** Connections kept per subgraph (default 128): more concurrent fetches queue in the agent. */
  maxSockets?: number;
  /** Largest answer read; a longer one is cut off (default 16 MiB). */
  maxResponseBytes?: number;
}

export interface SubgraphPostOptions {
  timeoutMs: number;
  /**
   * Safe to send twice (a query): sent again, once, on a fresh connection when
   * a reused keep-alive connection turns out to have been closed by the
   * subgraph just as it was picked (the request never reached it).
   */
  idempotent?: boolean;
  /** The client's request: aborting it cancels this call. */
  signal?: AbortSignal;
}

/**
 * POSTs JSON to one subgraph over keep-alive connections (node:http or
 * node:https). Written on node:http rather than `fetch` because this is the
 * gateway's hottest path: under a catalog load, undici's fetch (Response
 * objects, web streams) and a combined AbortSignal per call were the largest
 * costs in a CPU profile (issue 11), and a plain request with one timer
 * answers the same for about two thirds of the CPU. undici's own Pool has
 * only coarse (about 1 s) timers for its timeouts, too imprecise for a 2 s
 * subgraph deadline.
 */
export class SubgraphHttpClient {
  readonly #target: URL;
  readonly #transport: typeof http | typeof https;
  readonly #agent: http.Agent;
  readonly #maxResponseBytes: number;

  constructor(url: string, options: SubgraphHttpClientOptions = {}) {
    this.#target = new URL(url);
    const secure = this.#target.protocol === "https:";
    this.#transport = secure ? https : http;
    // LIFO: the most recently used connections stay warm; idle ones beyond the load time out.
    // Idle ones are closed after 4 s, before Node servers' 5 s keep-alive timeout closes them
    // under us (a request sent on a connection the server is closing gets a reset).
    const agentOptions = {
      keepAlive: true,
      maxSockets: options.maxSockets ?? 128,
      scheduling: "lifo" as const,
      timeout: IDLE_SOCKET_MS,
    };
    this.#agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    this.#maxResponseBytes = options.maxResponseBytes ?? 16 * 1024 * 1024;
  }

  async post(body: string, headers: Record<string, string>, options: SubgraphPostOptions): Promise<SubgraphHttpAnswer> {
    const started = performance.now();
    try {
      return await this.#send(body, headers, options);
    } catch (error) {
      if (!(error instanceof TransportError) || !error.staleConnection || !options.idempotent) throw error;
      const timeoutMs = options.timeoutMs - (performance.now() - started);
      if (timeoutMs <= 0) throw new TransportError({ kind: "timeout" });
      return this.#send(body, headers, { ...options, timeoutMs });
    }
  }

  #send(body: string, headers: Record<string, string>, options: SubgraphPostOptions): Promise<SubgraphHttpAnswer> {
    const { signal, timeoutMs } = options;
    const limit = this.#maxResponseBytes;
    return new Promise((resolve, reject) => {
      let settled = false;
      let answered = false;
      const settle = (failure: TransportFailure | undefined, answer?: SubgraphHttpAnswer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        if (failure) {
          request.destroy();
          const stale = failure.kind === "unreachable" && request.reusedSocket && !answered;
          reject(new TransportError(failure, stale));
        } else if (answer) resolve(answer);
      };
      const onAbort = () => settle({ kind: "client-gone" });
      const request = this.#transport.request(
        {
          agent: this.#agent,
          protocol: this.#target.protocol,
          hostname: this.#target.hostname,
          port: this.#target.port,
          path: `${this.#target.pathname}${this.#target.search}`,
          method: "POST",
          headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
        },
        (response) => {
          answered = true;
          const chunks: Buffer[] = [];
          let size = 0;
          response.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > limit) settle({ kind: "too-large", status: response.statusCode ?? 0, limit });
            else chunks.push(chunk);
          });
          response.on("end", () => {
            const batchParts = response.headers[BATCH_PARTS_HEADER];
            settle(undefined, {
              status: response.statusCode ?? 0,
              contentType: response.headers["content-type"] ?? "",
              text: Buffer.concat(chunks, size).toString("utf8"),
              ...(typeof batchParts === "string" ? { batchParts } : {}),
            });
          });
          // A connection that closes mid-body: the answer is incomplete, hence no answer.
          response.on("close", () => {
            if (!response.complete) settle({ kind: "unreachable", reason: "connection closed mid-answer" });
          });
          response.on("error", (error: NodeJS.ErrnoException) =>
            settle({ kind: "unreachable", reason: error.code ?? error.message }),
          );
        },
      );
      request.on("error", (error: NodeJS.ErrnoException) =>
        settle({ kind: "unreachable", reason: error.code ?? error.message }),
      );
      const timer = setTimeout(() => settle({ kind: "timeout" }), timeoutMs);
      if (signal?.aborted) onAbort();
      else signal?.addEventListener("abort", onAbort, { once: true });
      request.end(body);
    });
  }

  /** Closes the idle connections (the gateway is stopping). */
  close() {
    this.#agent.destroy();
  }
}

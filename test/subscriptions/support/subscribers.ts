import { setTimeout as sleep } from "node:timers/promises";
import type { ExecutionResult, GraphQLFormattedError } from "graphql";
import { createClient as createSseClient } from "graphql-sse";
import { createClient as createWsClient } from "graphql-ws";
import WebSocket from "ws";

/** StockChangedEvent as the tests select it. */
export interface StockChanged {
  id: string;
  cursor: string;
  goodsId: string;
  stocks: number;
  stockStatus: string;
  events: string[];
  at: string;
}

export const STOCK_CHANGED = `subscription StockChanged($goodsIds: [ID!], $after: String) {
  stockChanged(goodsIds: $goodsIds, after: $after) { id cursor goodsId stocks stockStatus events at }
}`;

export interface StockChangedArgs {
  goodsIds?: string[];
  after?: string;
}

/**
 * What one subscription received, over either transport: its events (with
 * when each arrived), the coded errors (in a result, or the transport's error
 * message), and whether it completed.
 */
export class Recorder {
  readonly events: (StockChanged & { receivedAt: number })[] = [];
  readonly errors: GraphQLFormattedError[] = [];
  /** Anything else the transport reported (a close event, a network error). */
  readonly failures: unknown[] = [];
  completed = false;
  stop: () => void = () => undefined;

  readonly sink = {
    next: (result: ExecutionResult<{ stockChanged: StockChanged }> | { errors?: readonly GraphQLFormattedError[] }) => {
      const data = "data" in result ? result.data : undefined;
      if (data?.stockChanged) this.events.push({ ...data.stockChanged, receivedAt: Date.now() });
      for (const error of result.errors ?? []) this.errors.push(error as GraphQLFormattedError);
    },
    error: (error: unknown) => {
      if (Array.isArray(error)) this.errors.push(...(error as GraphQLFormattedError[]));
      else this.failures.push(error);
    },
    complete: () => {
      this.completed = true;
    },
  };

  get codes() {
    return this.errors.map((error) => error.extensions?.code);
  }

  get cursors() {
    return this.events.map((event) => event.cursor);
  }

  /** Waits until `done()` holds (throws after `timeoutMs`, saying what was received). */
  async until(what: string, done: () => boolean, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline)
        throw new Error(
          `not within ${timeoutMs} ms: ${what}; got ${this.events.length} events, errors ${JSON.stringify(this.errors)}, failures ${this.failures.map(String).join("; ")}`,
        );
      await sleep(20);
    }
  }

  untilEvents(count: number, timeoutMs?: number) {
    return this.until(`${count} events`, () => this.events.length >= count, timeoutMs);
  }

  /** Waits for the subscription's end: an error or completion. */
  untilEnded(timeoutMs?: number) {
    return this.until(
      "the subscription to end",
      () => this.completed || this.errors.length > 0 || this.failures.length > 0,
      timeoutMs,
    );
  }
}

/** `ws`'s WebSocket with extra handshake headers (e.g. a browser's Origin). */
const webSocketWith = (headers: Record<string, string>) =>
  class extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { headers });
    }
  };

/** One graphql-ws connection (no retries: the tests see each close); subscribe on it as often as needed. */
export function wsConnection(url: string, headers: Record<string, string> = {}) {
  const closes: { code: number; reason: string }[] = [];
  const client = createWsClient({
    url,
    webSocketImpl: Object.keys(headers).length > 0 ? webSocketWith(headers) : WebSocket,
    retryAttempts: 0,
    lazy: true,
    on: {
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        closes.push({ code, reason: String(reason) });
      },
    },
  });
  return {
    closes,
    subscribe(args: StockChangedArgs = {}, query = STOCK_CHANGED) {
      const recorder = new Recorder();
      recorder.stop = client.subscribe({ query, variables: { ...args } }, recorder.sink);
      return recorder;
    },
    dispose: () => client.dispose(),
  };
}

/** One graphql-sse subscription (distinct connection mode, no retries). */
export function sseSubscribe(
  url: string,
  args: StockChangedArgs = {},
  options: { headers?: Record<string, string>; query?: string } = {},
) {
  const recorder = new Recorder();
  const client = createSseClient({ url, retryAttempts: 0, headers: options.headers ?? {} });
  const unsubscribe = client.subscribe(
    { query: options.query ?? STOCK_CHANGED, variables: { ...args } },
    recorder.sink,
  );
  recorder.stop = () => {
    unsubscribe();
    client.dispose();
  };
  return recorder;
}

import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { feedUnavailable } from "./errors";
import { type LiveStockEvent, liveEventOf } from "./live-event";

/** A feed page is at most 1000 changes of small rows: this is far beyond a healthy answer. */
const FEED_TIMEOUT_MS = 10_000;

/** Inventory's errors that are the client's to handle, passed on as they are (the rest is the gateway's problem). */
const CLIENT_CODES = new Set(["CURSOR_EXPIRED", "BAD_USER_INPUT"]);

const CHANGES = `query GatewayStockChanges($after: String, $first: Int) {
  stockChanges(after: $after, first: $first) {
    items { id cursor goodsId events stocks stockStatus occurredAt }
    endCursor
    hasNextPage
  }
}`;
const HEAD = "query GatewayStockChangesHead { stockChangesHead }";

export interface ChangePage {
  items: LiveStockEvent[];
  endCursor: string;
  hasNextPage: boolean;
}

/** Inventory's change feed (`stockChanges`, `stockChangesHead`) as the gateway reads it. */
export interface ChangeFeed {
  /** `signal` gives up early (the gateway is stopping); every read also gives up after FEED_TIMEOUT_MS. */
  read(after: string, first: number, signal?: AbortSignal): Promise<ChangePage>;
  head(signal?: AbortSignal): Promise<string>;
}

/** The error a feed answer's first error means for a subscriber. */
function errorOf(error: GraphQLFormattedError): GraphQLError {
  const code = error.extensions?.code;
  if (typeof code === "string" && CLIENT_CODES.has(code)) {
    const { stacktrace: _stacktrace, ...extensions } = error.extensions ?? {};
    return new GraphQLError(error.message, { extensions });
  }
  return feedUnavailable(new Error(`stockChanges answered ${String(code)}: ${error.message}`));
}

/** Reads the feed over HTTP with the gateway's own token; every failure is a coded GraphQLError. */
export function changeFeedClient(url: string, authorization: () => Promise<string>): ChangeFeed {
  async function post(
    query: string,
    variables: Record<string, unknown>,
    signal: AbortSignal | undefined,
  ): Promise<Record<string, unknown>> {
    const timeout = AbortSignal.timeout(FEED_TIMEOUT_MS);
    let body: { data?: Record<string, unknown> | null; errors?: GraphQLFormattedError[] };
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: await authorization() },
        body: JSON.stringify({ query, variables }),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      body = (await response.json()) as typeof body;
    } catch (error) {
      throw feedUnavailable(error);
    }
    const [first] = body.errors ?? [];
    if (first) throw errorOf(first);
    if (!body.data) throw feedUnavailable(new Error("stockChanges answered no data"));
    return body.data;
  }
  return {
    async read(after, first, signal) {
      const data = await post(CHANGES, { after, first }, signal);
      const page = data.stockChanges as { items: unknown[]; endCursor: string; hasNextPage: boolean } | undefined;
      if (!page || !Array.isArray(page.items) || typeof page.endCursor !== "string")
        throw feedUnavailable(new Error("stockChanges answered an unexpected shape"));
      const items = page.items.map(liveEventOf);
      if (items.some((item) => item === null))
        throw feedUnavailable(new Error("stockChanges answered an item that is not a stock change"));
      return { items: items as LiveStockEvent[], endCursor: page.endCursor, hasNextPage: page.hasNextPage === true };
    },
    async head(signal) {
      const head = (await post(HEAD, {}, signal)).stockChangesHead;
      if (typeof head !== "string") throw feedUnavailable(new Error("stockChangesHead answered no cursor"));
      return head;
    },
  };
}

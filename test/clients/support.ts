import { createHash } from "node:crypto";
import { connect } from "node:net";
import { operation } from "../inventory/support/operations";

/** The storefront's product list, exactly as the storefront sends it. */
export const GOODS_LIST = operation("storefront-goods-list");

/**
 * A stock change whose result carries the goods it changed: a normalized
 * cache (Apollo Client's InMemoryCache, urql Graphcache) writes the new stocks
 * into its cached `Goods:<id>` from this answer alone, with no refetch.
 */
export const ADJUST_STOCK_WITH_GOODS = /* GraphQL */ `
  mutation ClientAdjustStock($goodsId: ID!, $delta: Int!, $reason: String!) {
    adjustStock(goodsId: $goodsId, delta: $delta, reason: $reason) {
      id
      goodsId
      stocks
      version
      goods {
        id
        stocks
      }
    }
  }
`;

export interface ListItem {
  id: string;
  name: string;
  stocks: number | null;
}
export interface GoodsListData {
  goodsList: { total: number; items: ListItem[] };
}
export interface AdjustStockData {
  adjustStock: { id: string; goodsId: string; stocks: number; version: number; goods: { id: string; stocks: number } };
}

/** The hash APQ names a query by: SHA-256 of its exact text, lowercase hex. */
export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

export const persistedQuery = (sha256Hash: string) => ({ persistedQuery: { version: 1, sha256Hash } });

export interface RawAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests assert the answer field by field.
  body: { data?: any; errors?: { message: string; extensions?: { code?: string } }[] };
  cacheControl: string | null;
}

/** POSTs a GraphQL-over-HTTP request body as is (e.g. a hash with no query). */
export async function postRaw(
  url: string,
  body: Record<string, unknown>,
  accept = "application/json",
): Promise<RawAnswer> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as RawAnswer["body"],
    cacheControl: response.headers.get("cache-control"),
  };
}

/** The same as a GET, every parameter in the query string (objects as JSON), as Apollo Client sends hashed GETs. */
export async function getRaw(url: string, params: Record<string, unknown>): Promise<RawAnswer> {
  const target = new URL(url);
  for (const [name, value] of Object.entries(params))
    target.searchParams.set(name, typeof value === "string" ? value : JSON.stringify(value));
  const response = await fetch(target, { headers: { accept: "application/json" } });
  return {
    status: response.status,
    body: (await response.json()) as RawAnswer["body"],
    cacheControl: response.headers.get("cache-control"),
  };
}

export const codesOf = (answer: RawAnswer) => (answer.body.errors ?? []).map((error) => error.extensions?.code);

/** Whether a Redis server answers PING at redis://host:port (bounded: never hangs a test run). */
export function redisAnswers(redisUrl: string, timeoutMs = 1000): Promise<boolean> {
  const { hostname, port } = new URL(redisUrl);
  return new Promise((resolve) => {
    const socket = connect(Number(port || 6379), hostname);
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(/^(\+PONG|-NOAUTH)/.test(String(data))));
  });
}

/** Client × what it did → how it went; printed as a table when the suite ends. */
export class ClientMatrix {
  static readonly COLUMNS = ["query GET", "query POST", "mutation", "cache update", "APQ"] as const;
  readonly #rows = new Map<string, Map<string, string>>();

  record(client: string, column: (typeof ClientMatrix.COLUMNS)[number], outcome: string) {
    const row = this.#rows.get(client) ?? new Map<string, string>();
    row.set(column, outcome);
    this.#rows.set(client, row);
  }

  toString(): string {
    const header = ["client", ...ClientMatrix.COLUMNS];
    const lines = [...this.#rows].map(([client, row]) => [
      client,
      ...ClientMatrix.COLUMNS.map((column) => row.get(column) ?? "-"),
    ]);
    const rows = [header, header.map(() => "---"), ...lines];
    return rows.map((cells) => `| ${cells.join(" | ")} |`).join("\n");
  }
}

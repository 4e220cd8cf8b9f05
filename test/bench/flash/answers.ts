import type { OrderItem } from "@emshop/inventory/stock/validate";

/** One sellStock call as an order service makes it: items merged per goods and sorted (see mergeOrderItems). */
export interface SellRequest {
  orderSn: string;
  items: OrderItem[];
}

/** The codes a flash sale may answer; anything else is a failure of the service. */
export const SOLD = "SOLD";
export const INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK";
export const ORDER_CONFLICT = "ORDER_CONFLICT";
/** No answer at all: the connection failed (the process was killed under the call). */
export const NO_ANSWER = "NO_ANSWER";

/** What one sellStock call answered. */
export interface SellAnswer extends SellRequest {
  /** SOLD, `status <other>` for any other record status, the error's `extensions.code`, or NO_ANSWER. */
  code: string;
  /** The record's createdAt (ms since the epoch) when SOLD: a retry must answer the same record. */
  createdAt?: number;
  /** The first error's message, for reports. */
  message?: string;
  /** performance.now() when the call was sent. */
  startedAt: number;
  /** Latency in ms. */
  ms: number;
}

/** Sends one sellStock call and never throws: every failure is an answer code. */
export type Seller = (request: SellRequest) => Promise<SellAnswer>;

/** A GraphQL error's code, as the services put it in `extensions.code`. */
export const errorCode = (error: unknown): string => {
  const code = (error as { extensions?: { code?: unknown } } | null)?.extensions?.code;
  return typeof code === "string" ? code : "NO_CODE";
};

/** The answer code of a sellStock record: SOLD, or the unexpected status it has. */
export const recordCode = (status: string) => (status === SOLD ? SOLD : `status ${status}`);

export const describeItems = (items: readonly OrderItem[]) =>
  items.map((item) => `${item.num}×${item.goodsId}`).join("+");

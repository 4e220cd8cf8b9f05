/**
 * A stock event: one committed ledger movement, as the change feed
 * (`stockChanges`), the JetStream stream and the `stockChanged` subscription
 * carry it. The JSON schema of the payload is `docs/schemas/stock-event.v1.json`;
 * inventory writes it, the gateway and any consumer read it.
 */
export const STOCK_EVENT_VERSION = 1;

export type StockEventType = "STOCK_CHANGED" | "OUT_OF_STOCK" | "BACK_IN_STOCK" | "LOW_STOCK";
export type StockStatus = "IN_STOCK" | "LOW_STOCK" | "OUT_OF_STOCK";

export interface StockEvent {
  version: typeof STOCK_EVENT_VERSION;
  /** `<database identity>:<movement id>`: the JetStream message id, and what consumers dedup on. */
  id: string;
  /** Position in the feed (see parseCursor): resume behind this event. */
  cursor: string;
  goodsId: number;
  /** The movement's kind: SET, ADJUST, SELL, REBACK, IMPORT, HOLD, CONFIRM, RELEASE, EXPIRE. */
  kind: string;
  events: StockEventType[];
  /** Available after the change (on hand minus held): what Goods.stocks says. */
  stocks: number;
  stocksBefore: number;
  stockStatus: StockStatus;
  onHand: number;
  held: number;
  delta: number;
  heldDelta: number;
  lowStockThreshold: number;
  orderSn: string | null;
  /** ISO-8601, when the change was written. */
  occurredAt: string;
}

/**
 * A feed position: the tick (a PostgreSQL snapshot taken by the ticker) whose
 * batch holds the change, and the movement id within that batch. Batches follow
 * commit order; within one, movements go by id (for one goods, id order is
 * commit order: its row lock serializes them). Written `<tick>.<movement>`.
 */
export interface FeedPosition {
  tick: bigint;
  movement: bigint;
}

/** The movement part of a position that has consumed its whole batch (a feed page with no items ends there). */
export const END_OF_BATCH = 9_223_372_036_854_775_807n;

export const formatCursor = (position: FeedPosition) => `${position.tick}.${position.movement}`;

/** The position a cursor names, or null when it is not one. */
export function parseCursor(cursor: string): FeedPosition | null {
  const match = /^(\d{1,19})\.(\d{1,19})$/.exec(cursor);
  if (!match) return null;
  const [tick, movement] = [BigInt(match[1] as string), BigInt(match[2] as string)];
  if (tick > END_OF_BATCH || movement > END_OF_BATCH) return null;
  return { tick, movement };
}

/** Negative when a comes before b in the feed, 0 when equal, positive after. */
export function compareCursors(a: string, b: string): number {
  const [left, right] = [parseCursor(a), parseCursor(b)];
  if (!left || !right) throw new RangeError(`not a feed cursor: ${left ? b : a}`);
  if (left.tick !== right.tick) return left.tick < right.tick ? -1 : 1;
  return left.movement === right.movement ? 0 : left.movement < right.movement ? -1 : 1;
}

/** What the storefront shows for this many available units (as Goods.stockStatus). */
export function stockStatusOf(available: number, threshold: number): StockStatus {
  if (available <= 0) return "OUT_OF_STOCK";
  return available <= threshold ? "LOW_STOCK" : "IN_STOCK";
}

/**
 * The events one change means, from its before and after alone, so a replay
 * derives exactly what the live stream said. LOW_STOCK is the downward crossing
 * of the threshold that leaves units to sell; a fall straight to 0 is OUT_OF_STOCK only.
 */
export function derivedEvents(before: number, after: number, threshold: number): StockEventType[] {
  const events: StockEventType[] = ["STOCK_CHANGED"];
  if (before > 0 && after <= 0) events.push("OUT_OF_STOCK");
  if (before <= 0 && after > 0) events.push("BACK_IN_STOCK");
  if (before > threshold && after > 0 && after <= threshold) events.push("LOW_STOCK");
  return events;
}

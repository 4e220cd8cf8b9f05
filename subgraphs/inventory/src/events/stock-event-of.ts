import {
  derivedEvents,
  formatCursor,
  STOCK_EVENT_VERSION,
  type StockEvent,
  stockStatusOf,
} from "@emshop/common/events/stock-event";

/** A ledger movement as the feed reads it, with the tick of its batch. */
export interface MovementRow {
  id: string;
  tickId: string;
  goodsId: number;
  kind: string;
  delta: number;
  stocksAfter: number;
  heldDelta: number;
  heldAfter: number;
  lowStockThreshold: number;
  orderSn: string | null;
  createdAt: Date | string;
}

/**
 * The event of one movement, from the movement alone: what a storefront may
 * sell before and after it (on hand minus held, as recorded by the change) and
 * the threshold recorded with it. So every path that writes the ledger (set,
 * adjust, batch, sell, reback, hold, confirm, release, expire, import) yields
 * its events, and a replay yields the same ones.
 */
export function stockEventOf(row: MovementRow, identity: string): StockEvent {
  const after = row.stocksAfter - row.heldAfter;
  const before = row.stocksAfter - row.delta - (row.heldAfter - row.heldDelta);
  return {
    version: STOCK_EVENT_VERSION,
    id: `${identity}:${row.id}`,
    cursor: formatCursor({ tick: BigInt(row.tickId), movement: BigInt(row.id) }),
    goodsId: row.goodsId,
    kind: row.kind,
    events: derivedEvents(before, after, row.lowStockThreshold),
    stocks: after,
    stocksBefore: before,
    stockStatus: stockStatusOf(after, row.lowStockThreshold),
    onHand: row.stocksAfter,
    held: row.heldAfter,
    delta: row.delta,
    heldDelta: row.heldDelta,
    lowStockThreshold: row.lowStockThreshold,
    orderSn: row.orderSn,
    occurredAt: new Date(row.createdAt).toISOString(),
  };
}

import type { StockEvent } from "@emshop/common/events/stock-event";
import { parseCursor } from "@emshop/common/events/stock-event";

/**
 * What the gateway keeps of a stock event: the public fields of
 * StockChangedEvent and nothing else (on hand, held units and order numbers
 * are inventory's business, not a storefront's).
 */
export type LiveStockEvent = Pick<StockEvent, "id" | "cursor" | "goodsId" | "events" | "stocks" | "stockStatus"> & {
  at: string;
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

/**
 * A stock event as the feed (`stockChanges` items, goodsId an ID string) or the
 * stream (the v1 JSON payload, goodsId a number) carries it; null when it is not
 * one (a message the gateway cannot place in the feed is never passed on).
 */
export function liveEventOf(raw: unknown): LiveStockEvent | null {
  if (!isObject(raw)) return null;
  const goodsId = Number(raw.goodsId);
  const at = raw.occurredAt;
  if (
    typeof raw.id !== "string" ||
    typeof raw.cursor !== "string" ||
    !parseCursor(raw.cursor) ||
    !Number.isSafeInteger(goodsId) ||
    !Array.isArray(raw.events) ||
    typeof raw.stocks !== "number" ||
    typeof raw.stockStatus !== "string" ||
    typeof at !== "string"
  )
    return null;
  return {
    id: raw.id,
    cursor: raw.cursor,
    goodsId,
    events: raw.events as StockEvent["events"],
    stocks: raw.stocks,
    stockStatus: raw.stockStatus as StockEvent["stockStatus"],
    at,
  };
}

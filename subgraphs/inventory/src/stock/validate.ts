import { badUserInput, INT32_MAX, parseId } from "@emshop/common/errors";
import type { StockSet } from "./set-stocks";

/*
 * How inventory validates goods ids
 * ---------------------------------
 * Inventory does not own goods: they live in the goods subgraph's database. Asking
 * the goods service on every stock write would make selling depend on another
 * service being up, and would still be racy (a goods can be deleted right after
 * the check). So inventory checks what it can know by itself:
 *  - an id must be a positive int32 (else BAD_USER_INPUT);
 *  - the inventory row is what makes a goods known to inventory. Only the admin
 *    paths create rows: setStock / batchSetStocks (when expectedVersion is absent
 *    or 0) and importStocks. adjustStock needs an existing row (else NOT_FOUND);
 *    sellStock treats a goods without a row as having no stock (INSUFFICIENT_STOCK,
 *    available: null); rebackStock gives back what the order recorded.
 *  - rows for goods the catalog no longer has are found by the reconcile tool,
 *    which reads both databases, not by each write.
 */

/** Largest list batchSetStocks accepts (an import is split into batches of this size). */
export const MAX_BATCH_ITEMS = 1000;
/** Largest number of items one order may carry. */
export const MAX_ORDER_ITEMS = 200;
export const MAX_REASON_LENGTH = 200;
export const MAX_ORDER_SN_LENGTH = 64;
export const MAX_REQUEST_ID_LENGTH = 100;

export const parseGoodsId = (value: string | number, field = "goodsId") => parseId(value, field);

/** Stock values: GraphQL Int is already int32; stock is never negative (also a CHECK constraint). */
export function parseStocks(value: number, field = "stocks") {
  if (!Number.isInteger(value) || value < 0 || value > INT32_MAX) throw badUserInput(field, "must be an integer >= 0");
  return value;
}

export function parseDelta(value: number, field = "delta") {
  if (!Number.isInteger(value) || value === 0) throw badUserInput(field, "must be a non-zero integer");
  return value;
}

export function parseExpectedVersion(value: number | null | undefined, field = "expectedVersion") {
  if (value === null || value === undefined) return null;
  if (!Number.isInteger(value) || value < 0) throw badUserInput(field, "must be an integer >= 0");
  return value;
}

export function parseReason(value: string | null | undefined, { required = false, field = "reason" } = {}) {
  const reason = value?.trim() ?? "";
  if (!reason) {
    if (required) throw badUserInput(field, "must not be empty");
    return null;
  }
  if (reason.length > MAX_REASON_LENGTH) throw badUserInput(field, `must be at most ${MAX_REASON_LENGTH} characters`);
  return reason;
}

export function parseOrderSn(value: string, field = "orderSn") {
  const orderSn = value.trim();
  if (!orderSn) throw badUserInput(field, "must not be empty");
  if (orderSn.length > MAX_ORDER_SN_LENGTH)
    throw badUserInput(field, `must be at most ${MAX_ORDER_SN_LENGTH} characters`);
  return orderSn;
}

/** An idempotency key of an admin stock write (trimmed); null when none was sent. */
export function parseRequestId(value: string | null | undefined, field = "requestId") {
  if (value === null || value === undefined) return null;
  const requestId = value.trim();
  if (!requestId) throw badUserInput(field, "must not be empty (omit it to send no key)");
  if (requestId.length > MAX_REQUEST_ID_LENGTH)
    throw badUserInput(field, `must be at most ${MAX_REQUEST_ID_LENGTH} characters`);
  return requestId;
}

export function checkListSize(list: readonly unknown[], max: number, field: string) {
  if (list.length === 0) throw badUserInput(field, "must not be empty");
  if (list.length > max) throw badUserInput(field, `must hold at most ${max} entries (got ${list.length})`);
}

/** batchSetStocks' items, validated, in the caller's order; a goods may be listed once only. */
export function parseStockSets(
  items: readonly { goodsId: string | number; stocks: number; expectedVersion?: number | null }[],
): StockSet[] {
  checkListSize(items, MAX_BATCH_ITEMS, "items");
  const sets = items.map((item, index) => ({
    goodsId: parseGoodsId(item.goodsId, `items[${index}].goodsId`),
    stocks: parseStocks(item.stocks, `items[${index}].stocks`),
    expectedVersion: parseExpectedVersion(item.expectedVersion, `items[${index}].expectedVersion`),
  }));
  const seen = new Set<number>();
  for (const { goodsId } of sets) {
    if (seen.has(goodsId)) throw badUserInput("items", `goods ${goodsId} is listed twice`);
    seen.add(goodsId);
  }
  return sets;
}

export interface OrderItem {
  goodsId: number;
  num: number;
}

/**
 * An order's items merged per goods and sorted by goods id: the order in which
 * rows are locked (so that concurrent orders cannot deadlock) and the form in
 * which they are stored and compared for idempotency.
 */
export function mergeOrderItems(items: readonly { goodsId: string | number; num: number }[]): OrderItem[] {
  checkListSize(items, MAX_ORDER_ITEMS, "items");
  const merged = new Map<number, number>();
  items.forEach((item, index) => {
    const goodsId = parseGoodsId(item.goodsId, `items[${index}].goodsId`);
    if (!Number.isInteger(item.num) || item.num < 1) throw badUserInput(`items[${index}].num`, "must be >= 1");
    const num = (merged.get(goodsId) ?? 0) + item.num;
    if (num > INT32_MAX) throw badUserInput("items", `goods ${goodsId} adds up to more than ${INT32_MAX} units`);
    merged.set(goodsId, num);
  });
  return [...merged].map(([goodsId, num]) => ({ goodsId, num })).sort((a, b) => a.goodsId - b.goodsId);
}

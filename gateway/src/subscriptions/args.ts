import { badUserInput, rowIdOrNull } from "@emshop/common/errors";
import { parseCursor } from "@emshop/common/events/stock-event";
import { tooManyGoodsIds } from "./errors";
import type { LiveStockEvent } from "./live-event";

/** Which events a subscription wants: all goods without goodsIds, else the goods it names. */
export function goodsFilter(
  goodsIds: readonly string[] | null | undefined,
  maxGoodsIds: number,
): (event: LiveStockEvent) => boolean {
  if (goodsIds === null || goodsIds === undefined) return () => true;
  if (goodsIds.length === 0) throw badUserInput("goodsIds", "must name at least one goods (omit it for all goods)");
  // Counted before anything else is looked at: a huge list costs no more than a short one.
  if (goodsIds.length > maxGoodsIds) throw tooManyGoodsIds(goodsIds.length, maxGoodsIds);
  const wanted = new Set<number>();
  for (const value of goodsIds) {
    const id = rowIdOrNull(value);
    if (id === null) throw badUserInput("goodsIds", `"${value.slice(0, 20)}" is not a valid id (a positive integer)`);
    wanted.add(id);
  }
  return (event) => wanted.has(event.goodsId);
}

/** `after` when it is a feed cursor; refused here, before inventory is asked. */
export function parseAfter(after: string | null | undefined): string | undefined {
  if (after === null || after === undefined) return undefined;
  if (!parseCursor(after)) throw badUserInput("after", "is not a cursor of the stock change feed");
  return after;
}

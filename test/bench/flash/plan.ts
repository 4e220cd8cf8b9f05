import { random } from "../../support/random";
import type { SellRequest } from "./answers";

/**
 * The correctness phase's calls, in the order clients take them: `orders`
 * distinct orderSns of 1 unit, and in between
 *  - exact retries of earlier orderSns: half sent at once (the order service
 *    gave up waiting and retried while the first call may still be running, so
 *    both can land in one batch), half only after the first call answered;
 *  - the same orderSn with 2 units instead of 1, sent after the first call
 *    answered: ORDER_CONFLICT when it was sold, INSUFFICIENT_STOCK when not
 *    (then the stock was gone, and it stays gone).
 * A seeded PRNG makes the plan the same on every run and for every target.
 */

export type PlannedSell =
  | { kind: "first"; request: SellRequest }
  | { kind: "retry"; request: SellRequest; afterFirstAnswer: boolean }
  | { kind: "conflict"; request: SellRequest };

/** Retries target one of this many latest orders: likely still in flight, or just answered. */
const RETRY_WINDOW = 400;
/** Conflicts target the first orders: most of them sold, so most conflicts must be ORDER_CONFLICT. */
const CONFLICT_TARGET_SHARE = 0.15;

export function planFlashSale(options: {
  orderSnPrefix: string;
  goodsId: number;
  orders: number;
  retryShare: number;
  conflictShare: number;
  seed: number;
}): PlannedSell[] {
  const { orderSnPrefix, goodsId, orders, seed } = options;
  const next = random(seed);
  const between = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const retries = Math.round(orders * options.retryShare);
  const conflicts = Math.round(orders * options.conflictShare);
  const orderSn = (index: number) => `${orderSnPrefix}${index}`;
  const one = (index: number): SellRequest => ({ orderSn: orderSn(index), items: [{ goodsId, num: 1 }] });

  // After which first call each repeat goes: positions 1 … orders-1 (there is always an earlier order).
  const repeatsAfter = new Map<number, PlannedSell[]>();
  for (let repeat = 0; repeat < retries + conflicts; repeat++) {
    const after = between(1, orders - 1);
    let planned: PlannedSell;
    if (repeat < retries) {
      planned = {
        kind: "retry",
        request: one(between(Math.max(0, after - RETRY_WINDOW), after - 1)),
        afterFirstAnswer: next() < 0.5,
      };
    } else {
      const target = between(0, Math.max(0, Math.min(after, Math.ceil(orders * CONFLICT_TARGET_SHARE)) - 1));
      planned = { kind: "conflict", request: { orderSn: orderSn(target), items: [{ goodsId, num: 2 }] } };
    }
    repeatsAfter.set(after, [...(repeatsAfter.get(after) ?? []), planned]);
  }
  const plan: PlannedSell[] = [];
  for (let index = 0; index < orders; index++) {
    plan.push({ kind: "first", request: one(index) });
    plan.push(...(repeatsAfter.get(index) ?? []));
  }
  return plan;
}

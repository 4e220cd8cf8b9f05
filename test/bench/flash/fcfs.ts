import type { InventoryDb } from "@emshop/db/inventory";
import { SellCoalescer } from "@emshop/inventory/stock/group-commit";

export interface FcfsFigures {
  orders: number;
  stock: number;
  sold: number;
  /** Orders refused while a later order of at least their quantity was sold: must be 0. */
  violations: number;
  examples: string[];
}

/**
 * First come, first served, checked where arrival order is known: `orders`
 * sells of 1–3 units of one goods that holds `stock` units (seeded so), handed to the coalescer
 * in one go (so they queue in this order and run in batches of maxBatch). A
 * refused order while a later one of the same or a bigger quantity won units
 * would mean the batch did not decide in arrival order. Across batches
 * the stock only goes down, so the rule holds over the whole sequence.
 */
export async function checkFirstComeFirstServed(
  db: InventoryDb,
  goodsId: number,
  options: { orders: number; stock: number; maxBatch: number },
): Promise<FcfsFigures> {
  const sells = new SellCoalescer(db, { enabled: true, maxBatch: options.maxBatch });
  const nums = Array.from({ length: options.orders }, (_, index) => 1 + ((index * 7919) % 3));
  const outcomes = await Promise.allSettled(
    nums.map((num, index) => sells.sell(`fcfs-${goodsId}-${index}`, [{ goodsId, num }], "bench-flash")),
  );
  const sold = outcomes.map((outcome) => outcome.status === "fulfilled");
  const examples: string[] = [];
  let violations = 0;
  // The largest quantity sold after each position, scanning from the end. A later, smaller order
  // may fit where a bigger one did not; one of the same or a bigger quantity must not.
  let largestLater = 0;
  let largestAt = -1;
  for (let index = nums.length - 1; index >= 0; index--) {
    const num = nums[index] as number;
    if (!sold[index] && largestLater >= num) {
      violations++;
      if (examples.length < 5)
        examples.push(`order ${index} (${num}) refused, order ${largestAt} (${largestLater}) sold`);
    }
    if (sold[index] && num > largestLater) {
      largestLater = num;
      largestAt = index;
    }
  }
  return {
    orders: options.orders,
    stock: options.stock,
    sold: sold.filter(Boolean).length,
    violations,
    examples,
  };
}

import { migrate } from "@emshop/db/migrate";
import type { ApplyStep } from "@emshop/tools/reconcile/apply";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { goodsMigrationsFrom, runReconcile, withoutVolatile } from "./helpers";
import { createLegacyShop, EXPECTED_COUNTS, type LegacyShop, snapshot } from "./legacy-fixture";

const failAt = (step: ApplyStep, batch: number) => (current: ApplyStep, number: number) => {
  if (current === step && number === batch) throw new Error(`injected failure at ${step} of batch ${batch}`);
};

/**
 * An apply interrupted anywhere (after a batch's backup, after its inventory
 * rows, after the last batch but before the run is recorded) is completed by
 * running it again, and ends exactly where an uninterrupted apply ends.
 */
describe("stocks:reconcile --apply, interrupted", () => {
  let shop: LegacyShop;
  let reference: LegacyShop;
  beforeEach(async () => {
    [shop, reference] = await Promise.all([createLegacyShop("interrupted"), createLegacyShop("uninterrupted")]);
  });
  afterEach(() => Promise.all([shop?.close(), reference?.close()]));

  it("re-running completes with the same final state as an uninterrupted run", async () => {
    await runReconcile(reference, true);

    // 9 goods in batches of 3: 3 batches. Crash mid-batch, between batches, then before the run is recorded.
    for (const [step, batch] of [
      ["backed_up", 1],
      ["imported", 2],
      ["backed_up", 3],
      ["imported", 3],
    ] as const) {
      await expect(runReconcile(shop, true, { afterStep: failAt(step, batch) })).rejects.toThrow(
        `injected failure at ${step} of batch ${batch}`,
      );
      expect(await shop.goods.sql.query("SELECT * FROM stock_reconcile_run")).toEqual([]);
      // Until a run completes, the column cannot be dropped.
      await expect(migrate(shop.goods.sql, "goods")).rejects.toThrow(/stocks:reconcile -- --apply/);
    }
    const resumed = await runReconcile(shop, true);
    expect(resumed).toMatchObject({ status: "applied", backedUp: 0, created: 0 });
    if (resumed.status === "applied") expect(resumed.summary.counts).toEqual(EXPECTED_COUNTS);

    expect(withoutVolatile(await snapshot(shop.goods.sql))).toEqual(
      withoutVolatile(await snapshot(reference.goods.sql)),
    );
    expect(withoutVolatile(await snapshot(shop.inventory.sql))).toEqual(
      withoutVolatile(await snapshot(reference.inventory.sql)),
    );
    expect((await runReconcile(shop, true)).status).toBe("already_applied");
    expect(await migrate(shop.goods.sql, "goods")).toEqual(goodsMigrationsFrom("0003_drop_goods_stocks.sql"));
  });
});

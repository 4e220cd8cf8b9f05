import type { ImportStep } from "@emshop/tools/import-emshop/run-state";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ledgerViolations } from "../inventory/support/ledger-check";
import { createEmshopShop, describeWithMariadb, type EmshopShop, killConnections } from "./emshop-fixture";
import { EXPECTED_STOCK_CLASSES } from "./emshop-shop";
import { createTargets, dump, type ImportTargets, runImport, runVerify } from "./targets";

const failAt = (step: ImportStep, batch: number) => (current: ImportStep, number: number) => {
  if (current === step && number === batch) throw new Error(`injected failure at ${step} of batch ${batch}`);
};

const dumps = async (targets: ImportTargets) => {
  const { goods, inventory } = await targets.sql();
  return { goods: await dump(goods), inventory: await dump(inventory) };
};

/**
 * An apply interrupted anywhere — between batches of any table, between a
 * goods batch's goods rows and its stock (two databases), after the last
 * batch, or by a lost source connection — is completed by running it again,
 * and ends exactly where an uninterrupted apply ends.
 */
describeWithMariadb("import:emshop --apply, interrupted", () => {
  let shop: EmshopShop;
  let reference: ImportTargets;
  let interrupted: ImportTargets;
  beforeAll(async () => {
    shop = await createEmshopShop("interrupt");
    [reference, interrupted] = await Promise.all([createTargets("reference"), createTargets("interrupted")]);
    expect((await runImport(shop, reference, { apply: true })).status).toBe("applied");
  });
  afterAll(async () => {
    await Promise.all([reference?.drop(), interrupted?.drop()]);
    await shop?.drop();
  });

  it("re-running completes with the same final state as an uninterrupted run", async () => {
    // Batches of 3: categories 1–4, brands 5–6, pairs 7–8, banners 9–10, goods 11–17, orphans 18–24, orders 25–27.
    for (const [step, batch] of [
      ["batch_done", 3],
      ["goods_written", 12],
      ["batch_done", 15],
      ["batch_done", 20],
      ["batch_done", 27],
    ] as const) {
      await expect(runImport(shop, interrupted, { apply: true, afterStep: failAt(step, batch) })).rejects.toThrow(
        `injected failure at ${step} of batch ${batch}`,
      );
      // Nothing is recorded as completed, so --verify refuses instead of passing half an import.
      await expect(runVerify(shop, interrupted)).rejects.toMatchObject({ code: "NOT_IMPORTED" });
      expect(await ledgerViolations((await interrupted.sql()).inventory)).toEqual([]);
    }
    const resumed = await runImport(shop, interrupted, { apply: true });
    expect(resumed.status).toBe("applied");
    expect(resumed.stock.counts).toEqual(EXPECTED_STOCK_CLASSES);
    expect(await dumps(interrupted)).toEqual(await dumps(reference));
    expect((await runImport(shop, interrupted, { apply: true })).status).toBe("already_applied");
  });

  it("a lost source connection stops the run with SOURCE_CONNECTION_LOST; the next run completes", async () => {
    const lost = await createTargets("lost");
    try {
      const cut = async (step: ImportStep, batch: number) => {
        if (step === "batch_done" && batch === 13) expect(await killConnections(shop)).toBe(2);
      };
      await expect(runImport(shop, lost, { apply: true, afterStep: cut })).rejects.toMatchObject({
        name: "ImportError",
        code: "SOURCE_CONNECTION_LOST",
      });
      expect(await ledgerViolations((await lost.sql()).inventory)).toEqual([]);
      expect((await runImport(shop, lost, { apply: true })).status).toBe("applied");
      expect(await dumps(lost)).toEqual(await dumps(reference));
    } finally {
      await lost.drop();
    }
  });
});

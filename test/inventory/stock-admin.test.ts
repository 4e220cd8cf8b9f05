import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codes, type InventorySubgraph, startInventorySubgraph } from "./support/inventory-subgraph";
import { ledgerViolations } from "./support/ledger-check";
import { ops } from "./support/operations";

/** Admin stock mutations on the inventory subgraph alone (executeOperation). */
describe("setStock / adjustStock / batchSetStocks", () => {
  let inventory: InventorySubgraph;
  // Goods 1..10 with 10, 20, … 100 units.
  beforeAll(async () => {
    inventory = await startInventorySubgraph(
      "stock_admin",
      Array.from({ length: 10 }, (_, index) => (index + 1) * 10),
    );
  });
  afterAll(() => inventory?.close());

  const row = (goodsId: number) => inventory.db.prisma.inventory.findUnique({ where: { goodsId } });

  it("sets an absolute value and increments the version", async () => {
    const before = await row(1);
    const data = await inventory.ok(ops.setStock, { goodsId: "1", stocks: 42, reason: "count" });
    expect(data.setStock).toMatchObject({ goodsId: "1", stocks: 42, version: (before?.version ?? 0) + 1 });
    expect(await row(1)).toMatchObject({ stocks: 42, version: (before?.version ?? 0) + 1 });
  });

  it("sets with the right expectedVersion, refuses a stale one with VERSION_CONFLICT and the current version", async () => {
    const { version } = (await row(2)) ?? { version: -1 };
    const ok = await inventory.ok(ops.setStock, { goodsId: "2", stocks: 5, expectedVersion: version });
    expect(ok.setStock).toMatchObject({ stocks: 5, version: version + 1 });
    const stale = await inventory.run(ops.setStock, { goodsId: "2", stocks: 99, expectedVersion: version });
    expect(codes(stale)).toEqual(["VERSION_CONFLICT"]);
    expect(stale.errors?.[0]?.extensions).toMatchObject({ currentVersion: version + 1, goodsId: "2" });
    expect(await row(2)).toMatchObject({ stocks: 5, version: version + 1 });
  });

  it("creates the row of a goods inventory has none for, only without expectedVersion (or 0)", async () => {
    expect(codes(await inventory.run(ops.setStock, { goodsId: "500", stocks: 3, expectedVersion: 2 }))).toEqual([
      "NOT_FOUND",
    ]);
    expect(await row(500)).toBeNull();
    const created = await inventory.ok(ops.setStock, { goodsId: "500", stocks: 3, expectedVersion: 0 });
    expect(created.setStock).toMatchObject({ goodsId: "500", stocks: 3, version: 1 });
    // Version 0 no longer matches the created row.
    expect(codes(await inventory.run(ops.setStock, { goodsId: "500", stocks: 4, expectedVersion: 0 }))).toEqual([
      "VERSION_CONFLICT",
    ]);
    const unconditional = await inventory.ok(ops.setStock, { goodsId: "501", stocks: 7 });
    expect(unconditional.setStock).toMatchObject({ goodsId: "501", stocks: 7, version: 1 });
  });

  it("adjusts relative to the current value, never below zero", async () => {
    const before = (await row(3)) ?? { stocks: -1, version: -1 };
    const up = await inventory.ok(ops.adjustStock, { goodsId: "3", delta: 5, reason: "delivery" });
    expect(up.adjustStock).toMatchObject({ stocks: before.stocks + 5, version: before.version + 1 });
    const down = await inventory.ok(ops.adjustStock, { goodsId: "3", delta: -(before.stocks + 5), reason: "breakage" });
    expect(down.adjustStock).toMatchObject({ stocks: 0, version: before.version + 2 });
    const below = await inventory.run(ops.adjustStock, { goodsId: "3", delta: -1, reason: "oops" });
    expect(codes(below)).toEqual(["INSUFFICIENT_STOCK"]);
    expect(below.errors?.[0]?.extensions).toMatchObject({ goodsIds: ["3"] });
    expect(await row(3)).toMatchObject({ stocks: 0, version: before.version + 2 });
  });

  it("adjusts only goods that have a row, and never past int32", async () => {
    expect(codes(await inventory.run(ops.adjustStock, { goodsId: "999", delta: 1, reason: "x" }))).toEqual([
      "NOT_FOUND",
    ]);
    await inventory.ok(ops.setStock, { goodsId: "4", stocks: 2_147_483_600 });
    expect(codes(await inventory.run(ops.adjustStock, { goodsId: "4", delta: 100, reason: "x" }))).toEqual([
      "BAD_USER_INPUT",
    ]);
    expect(codes(await inventory.run(ops.setStock, { goodsId: "4", stocks: 2_147_483_648 }))).toEqual([
      "BAD_USER_INPUT",
    ]);
    await inventory.ok(ops.setStock, { goodsId: "4", stocks: 40 });
  });

  it("rejects negative stocks, zero delta, empty reason and malformed ids with BAD_USER_INPUT", async () => {
    const rejected = [
      await inventory.run(ops.setStock, { goodsId: "5", stocks: -1 }),
      await inventory.run(ops.setStock, { goodsId: "5", stocks: 1, expectedVersion: -1 }),
      await inventory.run(ops.setStock, { goodsId: "abc", stocks: 1 }),
      await inventory.run(ops.setStock, { goodsId: "0", stocks: 1 }),
      await inventory.run(ops.adjustStock, { goodsId: "5", delta: 0, reason: "nothing" }),
      await inventory.run(ops.adjustStock, { goodsId: "5", delta: 1, reason: "   " }),
      await inventory.run(ops.adjustStock, { goodsId: "5", delta: 1, reason: "x".repeat(201) }),
      await inventory.run(ops.batchSetStocks, { items: [] }),
      await inventory.run(ops.batchSetStocks, { items: [{ goodsId: "5", stocks: -3 }] }),
    ];
    for (const result of rejected) expect(codes(result)).toEqual(["BAD_USER_INPUT"]);
    expect(await row(5)).toMatchObject({ stocks: 50 });
  });

  it("batch-sets all items in one transaction, results in the caller's order", async () => {
    const data = await inventory.ok(ops.batchSetStocks, {
      items: [
        { goodsId: "7", stocks: 70 },
        { goodsId: "6", stocks: 60 },
        { goodsId: "600", stocks: 6 },
      ],
      reason: "import",
    });
    expect(data.batchSetStocks.map((item: { goodsId: string; stocks: number }) => [item.goodsId, item.stocks])).toEqual(
      [
        ["7", 70],
        ["6", 60],
        ["600", 6],
      ],
    );
  });

  it("batch-sets all or nothing: one stale version or a duplicate goods changes nothing", async () => {
    const [six, seven] = [await row(6), await row(7)];
    const stale = await inventory.run(ops.batchSetStocks, {
      items: [
        { goodsId: "6", stocks: 1, expectedVersion: six?.version },
        { goodsId: "7", stocks: 1, expectedVersion: (seven?.version ?? 0) - 1 },
        { goodsId: "700", stocks: 1 },
      ],
    });
    expect(codes(stale)).toEqual(["VERSION_CONFLICT"]);
    expect(stale.errors?.[0]?.extensions?.conflicts).toEqual([
      { goodsId: 7, expectedVersion: (seven?.version ?? 0) - 1, currentVersion: seven?.version },
    ]);
    const duplicate = await inventory.run(ops.batchSetStocks, {
      items: [
        { goodsId: "6", stocks: 1 },
        { goodsId: "6", stocks: 2 },
      ],
    });
    expect(codes(duplicate)).toEqual(["BAD_USER_INPUT"]);
    expect(await row(6)).toEqual(six);
    expect(await row(7)).toEqual(seven);
    expect(await row(700)).toBeNull();
  });

  it("caps the batch size", async () => {
    const items = Array.from({ length: 1001 }, (_, index) => ({ goodsId: String(index + 1), stocks: 1 }));
    expect(codes(await inventory.run(ops.batchSetStocks, { items }))).toEqual(["BAD_USER_INPUT"]);
    const ok = await inventory.ok(ops.batchSetStocks, { items: items.slice(0, 1000), reason: "big import" });
    expect(ok.batchSetStocks).toHaveLength(1000);
  });

  it("leaves the ledger consistent with every row", async () => {
    expect(await ledgerViolations(inventory.db.sql)).toEqual([]);
  });
});

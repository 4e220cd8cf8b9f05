import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codes, type InventorySubgraph, startInventorySubgraph } from "./support/inventory-subgraph";
import { ledgerViolations } from "./support/ledger-check";
import { ops } from "./support/operations";

/** The order side (sellStock / rebackStock / stockSell) on the inventory subgraph alone. */
describe("sellStock / rebackStock", () => {
  let inventory: InventorySubgraph;
  // Goods 1..5 with 10 units each.
  beforeAll(async () => {
    inventory = await startInventorySubgraph("stock_sell", [10, 10, 10, 10, 10]);
  });
  afterAll(() => inventory?.close());

  const stocks = async (goodsId: number) =>
    (await inventory.db.prisma.inventory.findUnique({ where: { goodsId } }))?.stocks;
  const sell = (orderSn: string, items: { goodsId: string; num: number }[]) =>
    inventory.run(ops.sellStock, { orderSn, items });
  const reback = (orderSn: string) => inventory.run(ops.rebackStock, { orderSn });

  it("deducts every item, merging items of the same goods, and records the order", async () => {
    const result = await sell("order-1", [
      { goodsId: "2", num: 1 },
      { goodsId: "1", num: 2 },
      { goodsId: "2", num: 3 },
    ]);
    expect(result.errors).toBeUndefined();
    expect(result.data?.sellStock).toMatchObject({
      orderSn: "order-1",
      status: "SOLD",
      items: [
        { goodsId: "1", num: 2 },
        { goodsId: "2", num: 4 },
      ],
    });
    expect([await stocks(1), await stocks(2)]).toEqual([8, 6]);
    const recorded = await inventory.ok(ops.stockSell, { orderSn: "order-1" });
    expect(recorded.stockSell).toEqual(result.data?.sellStock);
  });

  it("is idempotent per orderSn: a repeat returns the record and deducts nothing more", async () => {
    const again = await sell("order-1", [
      { goodsId: "1", num: 2 },
      { goodsId: "2", num: 4 },
    ]);
    expect(again.errors).toBeUndefined();
    expect(again.data?.sellStock).toMatchObject({ orderSn: "order-1", status: "SOLD" });
    expect([await stocks(1), await stocks(2)]).toEqual([8, 6]);
  });

  it("refuses the same orderSn with different items (ORDER_CONFLICT)", async () => {
    const different = await sell("order-1", [{ goodsId: "1", num: 3 }]);
    expect(codes(different)).toEqual(["ORDER_CONFLICT"]);
    expect(different.errors?.[0]?.extensions).toMatchObject({ orderSn: "order-1" });
    expect(await stocks(1)).toBe(8);
  });

  it("takes all items or none: INSUFFICIENT_STOCK names every goods lacking stock", async () => {
    const result = await sell("order-2", [
      { goodsId: "3", num: 1 },
      { goodsId: "4", num: 11 },
      { goodsId: "5", num: 12 },
      { goodsId: "404", num: 1 },
    ]);
    expect(codes(result)).toEqual(["INSUFFICIENT_STOCK"]);
    expect(result.errors?.[0]?.extensions).toMatchObject({
      goodsIds: ["4", "5", "404"],
      shortages: [
        { goodsId: 4, requested: 11, available: 10 },
        { goodsId: 5, requested: 12, available: 10 },
        { goodsId: 404, requested: 1, available: null },
      ],
    });
    expect([await stocks(3), await stocks(4), await stocks(5)]).toEqual([10, 10, 10]);
    // A failed sell records nothing: the order can be retried once there is stock.
    expect((await inventory.ok(ops.stockSell, { orderSn: "order-2" })).stockSell).toBeNull();
  });

  it("gives back exactly what the order took, once", async () => {
    const first = await reback("order-1");
    expect(first.errors).toBeUndefined();
    expect(first.data?.rebackStock).toMatchObject({ orderSn: "order-1", status: "RETURNED" });
    expect([await stocks(1), await stocks(2)]).toEqual([10, 10]);
    const second = await reback("order-1");
    expect(second.data?.rebackStock).toMatchObject({ status: "RETURNED" });
    expect([await stocks(1), await stocks(2)]).toEqual([10, 10]);
    // Selling a returned order again deducts nothing: the orderSn is spent.
    const resold = await sell("order-1", [
      { goodsId: "1", num: 2 },
      { goodsId: "2", num: 4 },
    ]);
    expect(resold.data?.sellStock).toMatchObject({ status: "RETURNED" });
    expect([await stocks(1), await stocks(2)]).toEqual([10, 10]);
  });

  it("records a rollback of an unknown order as CANCELLED and refuses a late sell (ORDER_CANCELLED)", async () => {
    const empty = await reback("order-3");
    expect(empty.data?.rebackStock).toMatchObject({ orderSn: "order-3", status: "CANCELLED", items: [] });
    const late = await sell("order-3", [{ goodsId: "3", num: 1 }]);
    expect(codes(late)).toEqual(["ORDER_CANCELLED"]);
    expect(await stocks(3)).toBe(10);
    expect((await reback("order-3")).data?.rebackStock).toMatchObject({ status: "CANCELLED" });
  });

  it("rejects empty or oversized orders and bad items with BAD_USER_INPUT", async () => {
    const rejected = [
      await sell("", [{ goodsId: "1", num: 1 }]),
      await sell("x".repeat(65), [{ goodsId: "1", num: 1 }]),
      await sell("order-4", []),
      await sell("order-4", [{ goodsId: "1", num: 0 }]),
      await sell("order-4", [{ goodsId: "-1", num: 1 }]),
      await sell("order-4", [
        { goodsId: "1", num: 2_000_000_000 },
        { goodsId: "1", num: 2_000_000_000 },
      ]),
      await sell(
        "order-4",
        Array.from({ length: 201 }, (_, index) => ({ goodsId: String(index + 1), num: 1 })),
      ),
      await reback("  "),
    ];
    for (const result of rejected) expect(codes(result)).toEqual(["BAD_USER_INPUT"]);
    expect((await inventory.ok(ops.stockSell, { orderSn: "order-4" })).stockSell).toBeNull();
  });

  it("sells down to exactly zero, then refuses", async () => {
    expect((await sell("order-5", [{ goodsId: "5", num: 10 }])).errors).toBeUndefined();
    expect(codes(await sell("order-6", [{ goodsId: "5", num: 1 }]))).toEqual(["INSUFFICIENT_STOCK"]);
    expect(await stocks(5)).toBe(0);
  });

  it("leaves the ledger consistent with every row", async () => {
    expect(await ledgerViolations(inventory.db.sql)).toEqual([]);
  });
});

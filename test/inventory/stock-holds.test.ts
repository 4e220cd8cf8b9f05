import { DEFAULT_HOLDS } from "@emshop/inventory/stock/hold-options";
import { sweepExpiredHolds } from "@emshop/inventory/stock/hold-sweeper";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codes, type InventorySubgraph, startInventorySubgraph } from "./support/inventory-subgraph";
import { ledgerViolations } from "./support/ledger-check";
import { ops } from "./support/operations";

/**
 * Checkout holds on the inventory subgraph alone, with a clock the test moves
 * (no sweeper runs unless the test calls it: expiry must work without one).
 */
describe("holdStock / confirmHold / releaseHold", () => {
  let inventory: InventorySubgraph;
  let now = new Date("2026-12-01T10:00:00.000Z");
  const clock = () => now;
  const later = (seconds: number) => {
    now = new Date(now.getTime() + seconds * 1000);
  };
  // Goods 1..5 with 10 units each, goods 6 with 20.
  beforeAll(async () => {
    inventory = await startInventorySubgraph("stock_holds", [10, 10, 10, 10, 10, 20], { clock, sweepIntervalMs: 0 });
  });
  afterAll(() => inventory?.close());

  const item = (goodsId: number, num: number) => ({ goodsId: String(goodsId), num });
  const hold = (orderSn: string, items: { goodsId: string; num: number }[], ttlSeconds?: number) =>
    inventory.run(ops.holdStock, { orderSn, items, ...(ttlSeconds === undefined ? {} : { ttlSeconds }) });
  const confirm = (orderSn: string) => inventory.run(ops.confirmHold, { orderSn });
  const release = (orderSn: string) => inventory.run(ops.releaseHold, { orderSn });
  const sell = (orderSn: string, items: { goodsId: string; num: number }[]) =>
    inventory.run(ops.sellStock, { orderSn, items });
  const state = async (goodsId: number) => {
    const { inventory: row } = await inventory.ok(ops.inventoryHolds, { goodsId: String(goodsId) });
    return row as { onHand: number; held: number; available: number; stockStatus: string };
  };
  const storefrontStocks = async (goodsId: number) => {
    const result = await inventory.ok(
      "query($r: [_Any!]!) { _entities(representations: $r) { ... on Goods { stocks stockStatus } } }",
      { r: [{ __typename: "Goods", id: String(goodsId) }] },
    );
    return (result._entities as { stocks: number; stockStatus: string }[])[0];
  };
  const stored = async (goodsId: number) =>
    (
      await inventory.db.sql.query<{ stocks: number; held: number }>(
        "SELECT stocks, held FROM inventory WHERE goods_id = $1",
        [goodsId],
      )
    )[0];
  const movements = (orderSn: string) =>
    inventory.db.sql.query<{ kind: string; goods_id: number; delta: number; held_delta: number }>(
      "SELECT kind, goods_id, delta, held_delta FROM stock_movement WHERE order_sn = $1 ORDER BY id",
      [orderSn],
    );

  it("holds every item against available stock and records the hold with its expiry", async () => {
    const result = await hold("h-1", [item(2, 3), item(1, 2), item(2, 1)], 600);
    expect(result.errors).toBeUndefined();
    expect(result.data?.holdStock).toMatchObject({
      orderSn: "h-1",
      status: "HELD",
      items: [item(1, 2), item(2, 4)],
      expiresAt: new Date("2026-12-01T10:10:00.000Z"),
    });
    expect(await state(1)).toMatchObject({ onHand: 10, held: 2, available: 8 });
    expect(await state(2)).toMatchObject({ onHand: 10, held: 4, available: 6 });
    expect(await storefrontStocks(2)).toEqual({ stocks: 6, stockStatus: "LOW_STOCK" });
    expect(await movements("h-1")).toEqual([
      { kind: "HOLD", goods_id: 1, delta: 0, held_delta: 2 },
      { kind: "HOLD", goods_id: 2, delta: 0, held_delta: 4 },
    ]);
    expect((await inventory.ok(ops.stockHold, { orderSn: "h-1" })).stockHold).toMatchObject({ status: "HELD" });
  });

  it("is idempotent: a repeat returns the record; other items are ORDER_CONFLICT", async () => {
    const again = await hold("h-1", [item(1, 2), item(2, 4)], 600);
    expect(again.data?.holdStock).toMatchObject({ status: "HELD", expiresAt: new Date("2026-12-01T10:10:00.000Z") });
    expect(codes(await hold("h-1", [item(1, 3)]))).toEqual(["ORDER_CONFLICT"]);
    expect(await state(1)).toMatchObject({ held: 2 });
    // An orderSn either holds or sells.
    expect(codes(await sell("h-1", [item(1, 2), item(2, 4)]))).toEqual(["ORDER_CONFLICT"]);
  });

  it("takes nothing when one item is short: INSUFFICIENT_STOCK counts against available", async () => {
    const result = await hold("h-2", [item(1, 1), item(2, 7)]);
    expect(codes(result)).toEqual(["INSUFFICIENT_STOCK"]);
    expect(result.errors?.[0]?.extensions?.shortages).toEqual([{ goodsId: 2, requested: 7, available: 6 }]);
    expect(await state(1)).toMatchObject({ held: 2 });
    expect((await inventory.ok(ops.stockHold, { orderSn: "h-2" })).stockHold).toBeNull();
    // A direct sale counts against available too.
    expect(codes(await sell("s-1", [item(2, 7)]))).toEqual(["INSUFFICIENT_STOCK"]);
  });

  it("refuses a ttlSeconds out of bounds (BAD_USER_INPUT) and uses the default without one", async () => {
    expect(codes(await hold("h-3", [item(3, 1)], DEFAULT_HOLDS.minTtlSeconds - 1))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await hold("h-3", [item(3, 1)], DEFAULT_HOLDS.maxTtlSeconds + 1))).toEqual(["BAD_USER_INPUT"]);
    const defaulted = await hold("h-3", [item(3, 1)]);
    expect(defaulted.data?.holdStock).toMatchObject({
      expiresAt: new Date(now.getTime() + DEFAULT_HOLDS.defaultTtlSeconds * 1000),
    });
  });

  it("confirms once: on hand and held both drop; a repeat returns the record", async () => {
    const first = await confirm("h-1");
    expect(first.data?.confirmHold).toMatchObject({ status: "CONFIRMED", items: [item(1, 2), item(2, 4)] });
    expect(await state(1)).toMatchObject({ onHand: 8, held: 0, available: 8 });
    expect(await state(2)).toMatchObject({ onHand: 6, held: 0, available: 6 });
    const again = await confirm("h-1");
    expect(again.data?.confirmHold).toMatchObject({ status: "CONFIRMED" });
    expect(await state(1)).toMatchObject({ onHand: 8 });
    expect((await movements("h-1")).filter((m) => m.kind === "CONFIRM")).toEqual([
      { kind: "CONFIRM", goods_id: 1, delta: -2, held_delta: -2 },
      { kind: "CONFIRM", goods_id: 2, delta: -4, held_delta: -4 },
    ]);
    // A release after the confirm gives nothing back.
    expect((await release("h-1")).data?.releaseHold).toMatchObject({ status: "CONFIRMED" });
    expect(await state(1)).toMatchObject({ onHand: 8 });
  });

  it("rebackStock returns a confirmed hold like a sale, exactly once", async () => {
    const returned = await inventory.run(ops.rebackStock, { orderSn: "h-1" });
    expect(returned.data?.rebackStock).toMatchObject({ status: "RETURNED" });
    expect(await state(1)).toMatchObject({ onHand: 10, held: 0 });
    await inventory.run(ops.rebackStock, { orderSn: "h-1" });
    expect(await state(1)).toMatchObject({ onHand: 10 });
  });

  it("releases once; a confirm after the release is HOLD_RELEASED", async () => {
    await hold("h-4", [item(4, 5)]);
    expect(await state(4)).toMatchObject({ held: 5, available: 5 });
    expect((await release("h-4")).data?.releaseHold).toMatchObject({ status: "RELEASED" });
    expect(await state(4)).toMatchObject({ onHand: 10, held: 0, available: 10 });
    expect((await release("h-4")).data?.releaseHold).toMatchObject({ status: "RELEASED" });
    expect(await state(4)).toMatchObject({ held: 0 });
    expect(codes(await confirm("h-4"))).toEqual(["HOLD_RELEASED"]);
    expect(codes(await confirm("never-held"))).toEqual(["HOLD_NOT_FOUND"]);
  });

  it("an orderSn sold directly is no hold: confirm is ORDER_CONFLICT, release returns the sale untouched", async () => {
    expect((await sell("s-2", [item(3, 1)])).errors).toBeUndefined();
    const before = await stored(3);
    expect(codes(await confirm("s-2"))).toEqual(["ORDER_CONFLICT"]);
    expect((await release("s-2")).data?.releaseHold).toMatchObject({ status: "SOLD" });
    expect(codes(await hold("s-2", [item(3, 1)]))).toEqual(["ORDER_CONFLICT"]);
    expect(await stored(3)).toEqual(before);
  });

  it("a release before the hold records CANCELLED and the late hold is refused (ORDER_CANCELLED)", async () => {
    expect((await release("h-5")).data?.releaseHold).toMatchObject({ status: "CANCELLED", items: [] });
    expect(codes(await hold("h-5", [item(5, 1)]))).toEqual(["ORDER_CANCELLED"]);
    expect(await state(5)).toMatchObject({ held: 0, onHand: 10 });
  });

  it("an expired hold stops counting at once, with no sweeper: reads, holds and sells see its units", async () => {
    await hold("h-6", [item(6, 15)], 60);
    expect(await storefrontStocks(6)).toEqual({ stocks: 5, stockStatus: "LOW_STOCK" });
    later(61);
    // Nobody swept: the stored figure still counts it, every read already does not.
    expect(await stored(6)).toEqual({ stocks: 20, held: 15 });
    expect(await state(6)).toMatchObject({ onHand: 20, held: 0, available: 20, stockStatus: "IN_STOCK" });
    expect(await storefrontStocks(6)).toEqual({ stocks: 20, stockStatus: "IN_STOCK" });
    // A sell that needs the units ends the expired hold first.
    const sold = await sell("s-6", [item(6, 16)]);
    expect(sold.errors).toBeUndefined();
    expect(await stored(6)).toEqual({ stocks: 4, held: 0 });
    expect((await inventory.ok(ops.stockHold, { orderSn: "h-6" })).stockHold).toMatchObject({ status: "EXPIRED" });
    expect((await movements("h-6")).map((m) => m.kind)).toEqual(["HOLD", "EXPIRE"]);
    // Its confirm now finds the units gone: HOLD_EXPIRED, nothing sold.
    expect(codes(await confirm("h-6"))).toEqual(["HOLD_EXPIRED"]);
    expect(await stored(6)).toEqual({ stocks: 4, held: 0 });
  });

  it("a confirm after expiry takes the units again when they are still available", async () => {
    await hold("h-7", [item(3, 2)], 60);
    later(120);
    const confirmed = await confirm("h-7");
    expect(confirmed.data?.confirmHold).toMatchObject({ status: "CONFIRMED" });
    expect((await movements("h-7")).map((m) => [m.kind, m.delta, m.held_delta])).toEqual([
      ["HOLD", 0, 2],
      ["EXPIRE", 0, -2],
      ["CONFIRM", -2, 0],
    ]);
    expect(await inventory.run(ops.confirmHold, { orderSn: "h-7" })).toMatchObject({
      data: { confirmHold: { status: "CONFIRMED" } },
    });
  });

  it("admin writes cannot take on hand below held (BELOW_HELD), and write nothing", async () => {
    await hold("h-8", [item(5, 4)], 600);
    const before = await stored(5);
    const set = await inventory.run(ops.setStock, { goodsId: "5", stocks: 3 });
    expect(codes(set)).toEqual(["BELOW_HELD"]);
    expect(set.errors?.[0]?.extensions).toMatchObject({ goodsId: "5", held: 4, requested: 3 });
    const adjust = await inventory.run(ops.adjustStock, { goodsId: "5", delta: -7, reason: "damaged" });
    expect(codes(adjust)).toEqual(["BELOW_HELD"]);
    expect(await stored(5)).toEqual(before);
    // Down to exactly the held units is fine.
    expect(
      (await inventory.run(ops.adjustStock, { goodsId: "5", delta: -6, reason: "damaged" })).errors,
    ).toBeUndefined();
    expect(await state(5)).toMatchObject({ onHand: 4, held: 4, available: 0, stockStatus: "OUT_OF_STOCK" });
  });

  it("the sweeper ends expired holds with EXPIRE rows, and only those", async () => {
    await hold("h-9", [item(4, 1)], 60);
    await hold("h-10", [item(4, 2)], 3600);
    later(61);
    // h-8 (600 s, held since before the last 181 s) is still live; h-9 expired.
    expect(await sweepExpiredHolds(inventory.db, { ...DEFAULT_HOLDS, clock })).toBeGreaterThanOrEqual(1);
    expect((await inventory.ok(ops.stockHold, { orderSn: "h-9" })).stockHold).toMatchObject({ status: "EXPIRED" });
    expect((await inventory.ok(ops.stockHold, { orderSn: "h-10" })).stockHold).toMatchObject({ status: "HELD" });
    expect(await stored(4)).toMatchObject({ held: 2 });
    expect(await sweepExpiredHolds(inventory.db, { ...DEFAULT_HOLDS, clock })).toBe(0);
  });

  it("the ledger invariant holds for on hand and held after all of the above", async () => {
    expect(await ledgerViolations(inventory.db.sql)).toEqual([]);
  });
});

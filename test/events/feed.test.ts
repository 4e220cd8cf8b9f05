import { takeTick } from "@emshop/inventory/events/ticker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codes, type InventorySubgraph, startInventorySubgraph } from "../inventory/support/inventory-subgraph";
import { ops } from "../inventory/support/operations";
import type { Data } from "../support/in-process-client";

/**
 * The change feed on the inventory subgraph alone (PGlite or PostgreSQL), with
 * the ticker driven by the test: what a change yields, in what order, and
 * what never appears.
 */
describe("stockChanges: the ledger as a change feed", () => {
  let inventory: InventorySubgraph;
  let now = new Date("2026-12-01T10:00:00.000Z");
  // Goods 1..6 with 5 units each, goods 7 with 0.
  beforeAll(async () => {
    inventory = await startInventorySubgraph("stock_feed", [5, 5, 5, 5, 5, 5, 0], {
      clock: () => now,
      sweepIntervalMs: 0,
    });
  });
  afterAll(() => inventory?.close());

  const item = (goodsId: number, num: number) => ({ goodsId: String(goodsId), num });
  /** Everything after `after`, read in pages of `first`, ticked first. */
  const readAll = async (after: string | null, first = 100) => {
    await takeTick(inventory.db.sql);
    const items: Data[] = [];
    let cursor = after;
    for (;;) {
      const { stockChanges } = await inventory.ok(ops.stockChanges, { after: cursor, first });
      items.push(...stockChanges.items);
      cursor = stockChanges.endCursor;
      if (!stockChanges.hasNextPage) return { items, cursor: cursor as string };
    }
  };
  const ledgerCount = async () =>
    Number(
      (await inventory.db.sql.query<{ n: string }>("SELECT count(*)::text AS n FROM stock_movement"))[0]?.n ?? "0",
    );

  it("yields every committed change once, in commit order, with the events its before and after mean", async () => {
    const start = await readAll(null);
    // The setup import came after the migration's origin tick: it is in the feed too.
    expect(start.items.map((event) => event.kind)).toEqual(Array(7).fill("IMPORT"));
    expect(start.items.at(-1)).toMatchObject({ goodsId: "7", stocks: 0, events: ["STOCK_CHANGED"] });
    expect(start.items[0]).toMatchObject({
      goodsId: "1",
      stocks: 5,
      stocksBefore: 0,
      events: ["STOCK_CHANGED", "BACK_IN_STOCK"],
      lowStockThreshold: 10,
      stockStatus: "LOW_STOCK",
    });

    expect((await inventory.run(ops.sellStock, { orderSn: "f-1", items: [item(1, 5)] })).errors).toBeUndefined();
    expect(
      (await inventory.run(ops.setStock, { goodsId: "2", stocks: 50, reason: "delivery", requestId: "f-set" })).errors,
    ).toBeUndefined();
    expect(
      (await inventory.run(ops.adjustStock, { goodsId: "2", delta: -45, reason: "breakage", requestId: "f-adj" }))
        .errors,
    ).toBeUndefined();
    const changes = await readAll(start.cursor);
    expect(changes.items.map((event) => [event.goodsId, event.kind, event.events, event.stocks])).toEqual([
      ["1", "SELL", ["STOCK_CHANGED", "OUT_OF_STOCK"], 0],
      ["2", "SET", ["STOCK_CHANGED"], 50],
      ["2", "ADJUST", ["STOCK_CHANGED", "LOW_STOCK"], 5],
    ]);
    expect(changes.items[0]).toMatchObject({ orderSn: "f-1", stocksBefore: 5, delta: -5, stockStatus: "OUT_OF_STOCK" });
    expect(new Set(changes.items.map((event) => event.id)).size).toBe(3);
    expect(changes.items[0]?.id).toMatch(/^[0-9a-f-]{36}:\d+$/);
    // Read again from the same cursor: the same changes, nothing new.
    expect((await readAll(start.cursor)).items).toEqual(changes.items);
    expect((await readAll(changes.cursor)).items).toEqual([]);
  });

  it("never shows a change that was refused or rolled back: a short sell, a failed CAS, a half-possible order", async () => {
    const before = await ledgerCount();
    const { cursor } = await readAll(null);
    expect(codes(await inventory.run(ops.sellStock, { orderSn: "f-short", items: [item(3, 6)] }))).toEqual([
      "INSUFFICIENT_STOCK",
    ]);
    expect(codes(await inventory.run(ops.sellStock, { orderSn: "f-half", items: [item(3, 1), item(4, 99)] }))).toEqual([
      "INSUFFICIENT_STOCK",
    ]);
    expect(
      codes(await inventory.run(ops.setStock, { goodsId: "3", stocks: 1, expectedVersion: 99, requestId: "f-cas" })),
    ).toEqual(["VERSION_CONFLICT"]);
    expect(await ledgerCount()).toBe(before);
    expect((await readAll(cursor)).items).toEqual([]);
  });

  it("BACK_IN_STOCK after 0 → n through set, adjust, reback, release, expiry and import", async () => {
    const { cursor } = await readAll(null);
    const empty = async (goodsId: number) => {
      const row = await inventory.ok(ops.inventory, { goodsId: String(goodsId) });
      const available = row.inventory.available as number;
      if (available > 0)
        expect(
          (
            await inventory.run(ops.sellStock, {
              orderSn: `f-empty-${goodsId}-${now.getTime()}`,
              items: [item(goodsId, available)],
            })
          ).errors,
        ).toBeUndefined();
    };
    // set: goods 7 is at 0.
    await inventory.ok(ops.setStock, { goodsId: "7", stocks: 3, requestId: "f-bis-set" });
    // adjust: goods 1 was sold out above.
    await inventory.ok(ops.adjustStock, { goodsId: "1", delta: 2, reason: "found", requestId: "f-bis-adj" });
    // reback: sell goods 4 out, then give it back.
    await inventory.ok(ops.sellStock, { orderSn: "f-bis-reback", items: [item(4, 5)] });
    await inventory.ok(ops.rebackStock, { orderSn: "f-bis-reback" });
    // release: a hold takes all of goods 5, then is released.
    await inventory.ok(ops.holdStock, { orderSn: "f-bis-release", items: [item(5, 5)], ttlSeconds: 600 });
    await inventory.ok(ops.releaseHold, { orderSn: "f-bis-release" });
    // expiry: a hold takes all of goods 6 and expires; the sweeper (run here) ends it.
    await inventory.ok(ops.holdStock, { orderSn: "f-bis-expire", items: [item(6, 5)], ttlSeconds: 60 });
    now = new Date(now.getTime() + 120_000);
    const { sweepExpiredHolds } = await import("@emshop/inventory/stock/hold-sweeper");
    const { DEFAULT_HOLDS } = await import("@emshop/inventory/stock/hold-options");
    expect(await sweepExpiredHolds(inventory.db, { ...DEFAULT_HOLDS, clock: () => now })).toBe(1);
    // import: a goods inventory has no row for yet.
    const { importStocks } = await import("@emshop/inventory/stock/import-stocks");
    await importStocks(inventory.db, [{ goodsId: 8, stocks: 4 }], { reason: "test import", actor: "test" });
    await empty(3);

    const back = (await readAll(cursor)).items.filter((event) => event.events.includes("BACK_IN_STOCK"));
    expect(back.map((event) => [event.goodsId, event.kind])).toEqual([
      ["7", "SET"],
      ["1", "ADJUST"],
      ["4", "REBACK"],
      ["5", "RELEASE"],
      ["6", "EXPIRE"],
      ["8", "IMPORT"],
    ]);
    for (const event of back) expect(event.stocksBefore).toBe(0);
  });

  it("records the threshold in force with each change, so a replay derives what was said then", async () => {
    const { cursor } = await readAll(null);
    await inventory.ok('mutation { setLowStockThreshold(goodsId: "2", threshold: 3) { goodsId } }');
    await inventory.ok(ops.adjustStock, { goodsId: "2", delta: -2, reason: "sample", requestId: "f-thr-1" });
    await inventory.ok('mutation { setLowStockThreshold(goodsId: "2", threshold: null) { goodsId } }');
    const [event] = (await readAll(cursor)).items;
    // Threshold changes emit nothing; the adjust (5 → 3) crossed the goods' own threshold of 3 then.
    expect(event).toMatchObject({
      kind: "ADJUST",
      stocks: 3,
      lowStockThreshold: 3,
      events: ["STOCK_CHANGED", "LOW_STOCK"],
    });
    // Read again now that the default (10) applies: the same event.
    expect((await readAll(cursor)).items[0]).toEqual(event);
  });

  it("pages by any size to the same sequence", async () => {
    const all = await readAll(null, 1000);
    const byOne = await readAll(null, 1);
    expect(byOne.items).toEqual(all.items);
    expect(byOne.cursor).toBe(all.cursor);
    const ids = all.items.map((event) => BigInt((event.id as string).split(":")[1] as string));
    expect(ids.length).toBe(await ledgerCount());
  });

  it("reads on across many ticks, one change in each (tick 10 after tick 9, in numbers, not in text)", async () => {
    let { cursor } = await readAll(null);
    const seen: string[] = [];
    for (let i = 0; i < 25; i++) {
      await inventory.ok(ops.adjustStock, { goodsId: "2", delta: 1, reason: "tick by tick", requestId: `f-tick-${i}` });
      const next = await readAll(cursor);
      expect(next.items.map((event) => event.kind)).toEqual(["ADJUST"]);
      seen.push(next.items[0]?.id as string);
      cursor = next.cursor;
    }
    expect(new Set(seen).size).toBe(25);
    expect(Number(cursor.split(".")[0])).toBeGreaterThan(25);
  });

  it("refuses malformed cursors and sizes (BAD_USER_INPUT), old ones (CURSOR_EXPIRED), and callers without stock:audit", async () => {
    for (const after of ["nope", "1", "1.2.3", "99999999.0"])
      expect(codes(await inventory.run(ops.stockChanges, { after }))).toEqual(["BAD_USER_INPUT"]);
    for (const first of [0, 1001])
      expect(codes(await inventory.run(ops.stockChanges, { first }))).toEqual(["BAD_USER_INPUT"]);
    const anonymous = await inventory.run(ops.stockChanges, {}, { authorization: "" });
    expect(codes(anonymous)).toEqual(["UNAUTHENTICATED"]);
    // Retention: a cursor behind the oldest tick left is expired, with where to resume.
    const { items } = await readAll(null);
    const early = items[0]?.cursor as string;
    await inventory.db.sql.query("DELETE FROM stock_event_tick WHERE id < (SELECT max(id) FROM stock_event_tick)");
    const expired = await inventory.run(ops.stockChanges, { after: early });
    expect(codes(expired)).toEqual(["CURSOR_EXPIRED"]);
    const head = await inventory.ok("{ stockChangesHead }");
    expect((await inventory.ok(ops.stockChanges, { after: head.stockChangesHead })).stockChanges.items).toEqual([]);
  });
});

import { seedInventory } from "@emshop/db/seed/seed-inventory";
import { importStocks } from "@emshop/inventory/stock/import-stocks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { as } from "../support/tokens";
import { codes, type InventorySubgraph, startInventorySubgraph } from "./support/inventory-subgraph";
import { ledgerViolations } from "./support/ledger-check";
import { ops } from "./support/operations";

describe("the stock ledger", () => {
  let inventory: InventorySubgraph;
  beforeAll(async () => {
    inventory = await startInventorySubgraph("stock_ledger", [100]);
  });
  afterAll(() => inventory?.close());

  const movements = async (variables: Record<string, unknown>) =>
    (await inventory.ok(ops.stockMovements, variables)).stockMovements;

  it("writes one movement per change of every kind, with who made it", async () => {
    const admin = await as("admin", "alice@admin");
    await inventory.run(ops.setStock, { goodsId: "1", stocks: 90, reason: "recount" }, admin);
    await inventory.run(ops.adjustStock, { goodsId: "1", delta: 15, reason: "delivery" }, admin);
    const orders = await as("order-service", "orders");
    await inventory.run(ops.sellStock, { orderSn: "ledger-1", items: [{ goodsId: "1", num: 5 }] }, orders);
    await inventory.run(ops.rebackStock, { orderSn: "ledger-1" }, orders);
    const page = await movements({ goodsId: "1", first: 10 });
    expect(
      page.items.map((m: Record<string, unknown>) => [m.kind, m.delta, m.stocksAfter, m.versionAfter, m.actor]),
    ).toEqual([
      ["REBACK", 5, 105, 4, "orders (order-service)"],
      ["SELL", -5, 100, 3, "orders (order-service)"],
      ["ADJUST", 15, 105, 2, "alice@admin (admin)"],
      ["SET", -10, 90, 1, "alice@admin (admin)"],
      ["IMPORT", 100, 100, 0, "test"],
    ]);
    expect(page.items[0]).toMatchObject({ orderSn: "ledger-1", goodsId: "1" });
    expect(page.items[2]).toMatchObject({ reason: "delivery", orderSn: null });
    expect(page.hasNextPage).toBe(false);
  });

  it("pages newest first with opaque cursors", async () => {
    for (let n = 0; n < 7; n++) await inventory.ok(ops.adjustStock, { goodsId: "1", delta: 1, reason: `page ${n}` });
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page: { items: { id: string }[]; endCursor: string | null; hasNextPage: boolean } = await movements({
        goodsId: "1",
        first: 3,
        after,
      });
      seen.push(...page.items.map((item) => item.id));
      after = page.hasNextPage ? page.endCursor : null;
      pages++;
    } while (after);
    expect(pages).toBe(4); // 12 movements by 3
    expect(seen).toEqual([...seen].sort((a, b) => Number(b) - Number(a)));
    expect(new Set(seen).size).toBe(12);
    expect(codes(await inventory.run(ops.stockMovements, { goodsId: "1", first: 101 }))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await inventory.run(ops.stockMovements, { goodsId: "1", after: "nonsense" }))).toEqual([
      "BAD_USER_INPUT",
    ]);
    expect((await movements({ goodsId: "77" })).items).toEqual([]);
  });

  it.each([
    ["beyond int64", "movement:9999999999999999999"],
    ["int64 max + 1", "movement:9223372036854775808"],
    ["zero", "movement:0"],
    ["negative", "movement:-1"],
    ["20 digits", "movement:12345678901234567890"],
    ["another prefix", "goods:1"],
  ])("a forged cursor (%s) is BAD_USER_INPUT, never a database error", async (_name, inside) => {
    const after = Buffer.from(inside).toString("base64url");
    expect(codes(await inventory.run(ops.stockMovements, { goodsId: "1", after }))).toEqual(["BAD_USER_INPUT"]);
  });

  it("the largest id a cursor may hold is still a cursor", async () => {
    const after = Buffer.from("movement:9223372036854775807").toString("base64url");
    expect((await movements({ goodsId: "1", after })).items).toHaveLength(12);
  });

  it("importStocks creates missing rows with an IMPORT movement each, skips existing ones, and is idempotent", async () => {
    const items = Array.from({ length: 5000 }, (_, index) => ({ goodsId: index + 1, stocks: index % 50 }));
    const started = performance.now();
    expect(await importStocks(inventory.db, items, { reason: "legacy import", actor: "reconcile" })).toEqual({
      created: 4999,
      skipped: 1,
    });
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(await importStocks(inventory.db, items, { reason: "legacy import" })).toEqual({ created: 0, skipped: 5000 });
    const imported = await inventory.db.prisma.stockMovement.findMany({ where: { goodsId: 4321 } });
    expect(imported).toMatchObject([{ kind: "IMPORT", delta: 20, stocksAfter: 20, reason: "legacy import" }]);
    await expect(importStocks(inventory.db, [{ goodsId: 1, stocks: -1 }], { reason: "x" })).rejects.toThrow(RangeError);
  });

  it("the seed writes IMPORT movements, so the invariant holds from the start", async () => {
    await seedInventory(inventory.db, { goodsCount: 6000 });
    expect(await inventory.db.prisma.stockMovement.count({ where: { kind: "IMPORT" } })).toBe(6000);
    expect(await ledgerViolations(inventory.db.sql)).toEqual([]);
  });
});

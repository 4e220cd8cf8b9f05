import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCodes, gql } from "../support/graphql-client";
import { type Stack, startStack } from "../support/stack";
import { onPostgres } from "../support/test-database";
import { ledgerViolations } from "./support/ledger-check";
import { ops } from "./support/operations";

/**
 * Concurrency over HTTP through the gateway. On PostgreSQL (TEST_DATABASE_URL)
 * requests really race on a pool of connections; on embedded PGlite they are
 * serialised by its single connection, so the same assertions prove the logic only.
 */
describe(`concurrent stock changes (${onPostgres ? "PostgreSQL" : "PGlite"})`, () => {
  let stack: Stack;
  beforeAll(async () => {
    // Hundreds of requests queue for the database pool; the default 2 s subgraph timeout is for storefront reads.
    stack = await startStack({ queryTimeoutMs: 60_000, mutationTimeoutMs: 60_000 });
  });
  afterAll(() => stack?.stop());

  const stocksOf = async (goodsId: number) =>
    (await stack.inventory.db.prisma.inventory.findUnique({ where: { goodsId } }))?.stocks;
  const setStock = (goodsId: number, stocks: number) =>
    gql(stack.url, ops.setStock, { goodsId: String(goodsId), stocks }).then((r) => {
      if (r.errors) throw new Error(JSON.stringify(r.errors));
    });

  it("200 concurrent sells of 1 unit on a goods with 50: exactly 50 succeed, 150 get INSUFFICIENT_STOCK", async () => {
    await setStock(1, 50);
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, n) =>
        gql(stack.url, ops.sellStock, { orderSn: `hot-${n}`, items: [{ goodsId: "1", num: 1 }] }),
      ),
    );
    const outcome = responses.map((r) => errorCodes(r)[0] ?? r.data?.sellStock.status);
    expect(outcome.filter((o) => o === "SOLD")).toHaveLength(50);
    expect(outcome.filter((o) => o === "INSUFFICIENT_STOCK")).toHaveLength(150);
    expect(await stocksOf(1)).toBe(0);
    const sells = await stack.inventory.db.prisma.stockMovement.count({ where: { goodsId: 1, kind: "SELL" } });
    expect(sells).toBe(50);
    const sold = await stack.inventory.db.prisma.stockSell.count({ where: { orderSn: { startsWith: "hot-" } } });
    expect(sold).toBe(50);
    expect(await ledgerViolations(stack.inventory.db.sql)).toEqual([]);
  });

  it("two admins with the same expectedVersion: exactly one wins, the other gets VERSION_CONFLICT", async () => {
    for (let round = 0; round < 10; round++) {
      const read = await gql(stack.url, ops.inventory, { goodsId: "2" });
      const version = read.data?.inventory.version as number;
      const [a, b] = await Promise.all(
        [100 + round, 200 + round].map((stocks) =>
          gql(stack.url, ops.setStock, { goodsId: "2", stocks, expectedVersion: version }),
        ),
      );
      const results = [a, b].map((r) => (r ? String(errorCodes(r)[0] ?? "OK") : "missing")).sort();
      expect(results).toEqual(["OK", "VERSION_CONFLICT"]);
      const loser = [a, b].find((r) => r?.errors);
      const winner = [a, b].find((r) => !r?.errors);
      expect(loser?.errors?.[0]?.extensions).toMatchObject({ currentVersion: version + 1 });
      expect(await stocksOf(2)).toBe(winner?.data?.setStock.stocks);
    }
  });

  it("concurrent duplicates of one orderSn deduct once", async () => {
    await setStock(3, 100);
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        gql(stack.url, ops.sellStock, { orderSn: "dup-1", items: [{ goodsId: "3", num: 7 }] }),
      ),
    );
    expect(responses.every((r) => !r.errors && r.data?.sellStock.status === "SOLD")).toBe(true);
    expect(await stocksOf(3)).toBe(93);
    const rebacks = await Promise.all(
      Array.from({ length: 20 }, () => gql(stack.url, ops.rebackStock, { orderSn: "dup-1" })),
    );
    expect(rebacks.every((r) => r.data?.rebackStock.status === "RETURNED")).toBe(true);
    expect(await stocksOf(3)).toBe(100);
  });

  it("does not deadlock when orders take the same goods in opposite orders", async () => {
    const goods = [21, 22, 23, 24];
    for (const id of goods) await setStock(id, 10_000);
    const order = (n: number) =>
      (n % 2 === 0 ? goods : [...goods].reverse()).map((id) => ({ goodsId: String(id), num: 1 }));
    const first = await Promise.all(
      Array.from({ length: 120 }, (_, n) => gql(stack.url, ops.sellStock, { orderSn: `cross-${n}`, items: order(n) })),
    );
    expect(first.flatMap(errorCodes)).toEqual([]);
    // Rebacks of half of them race new orders over the same goods, again in both orders.
    const second = await Promise.all([
      ...Array.from({ length: 60 }, (_, n) => gql(stack.url, ops.rebackStock, { orderSn: `cross-${n * 2 + 1}` })),
      ...Array.from({ length: 60 }, (_, n) =>
        gql(stack.url, ops.sellStock, { orderSn: `cross-b-${n}`, items: order(n) }),
      ),
      ...Array.from({ length: 20 }, (_, n) =>
        gql(stack.url, ops.batchSetStocks, {
          items: (n % 2 ? goods : [...goods].reverse()).map((id) => ({ goodsId: String(id), stocks: 5_000 })),
        }),
      ),
    ]);
    expect(second.flatMap(errorCodes)).toEqual([]);
    expect(await ledgerViolations(stack.inventory.db.sql)).toEqual([]);
  });
});

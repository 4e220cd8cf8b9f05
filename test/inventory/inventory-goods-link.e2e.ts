import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCodes, gql } from "../support/graphql-client";
import { type Stack, startStack } from "../support/stack";

const ADJUST = `mutation ($g: ID!) { adjustStock(goodsId: $g, delta: 2, reason: "link") {
  id goodsId stocks goods { id stocks name } } }`;

/** Inventory.id and Inventory.goods: what a client cache needs, and never a reason to report a committed write as failed. */
describe("Inventory's identity and its link to Goods", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });
  const ledger = async (goodsId: number) =>
    Number(
      (
        await stack.inventory.db.sql.query<{ n: string }>("SELECT count(*) n FROM stock_movement WHERE goods_id = $1", [
          goodsId,
        ])
      )[0]?.n,
    );

  it("a stock change answers with its goods, whose stocks is the value just written", async () => {
    const result = await gql(stack.url, ADJUST, { g: "3" });
    expect(result.errors).toBeUndefined();
    const row = result.data?.adjustStock;
    expect(row.id).toBe("3");
    expect(row.goods).toEqual({ id: "3", stocks: row.stocks, name: expect.any(String) });
  });

  it("two changes of one goods in one request each report their own value (no stale loader cache)", async () => {
    const result = await gql(
      stack.url,
      `mutation { a: adjustStock(goodsId: "4", delta: 1, reason: "a") { stocks goods { stocks } }
                  b: adjustStock(goodsId: "4", delta: 1, reason: "b") { stocks goods { stocks } } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.a.goods.stocks).toBe(result.data?.a.stocks);
    expect(result.data?.b.goods.stocks).toBe(result.data?.b.stocks);
    expect(result.data?.b.stocks).toBe(result.data?.a.stocks + 1);
  });

  it("a goods the catalog lacks: goods is null, the write stands", async () => {
    await gql(stack.url, 'mutation { setStock(goodsId: "987001", stocks: 5) { stocks } }');
    const result = await gql(stack.url, ADJUST, { g: "987001" });
    expect(result.data?.adjustStock).toMatchObject({ id: "987001", stocks: 7, goods: null });
    expect(await ledger(987001)).toBe(2);
  });

  it("with the catalog down: goods is null with SUBGRAPH_UNAVAILABLE, the write is committed once", async () => {
    const before = await ledger(5);
    await stack.goods.stop();
    const result = await gql(stack.url, ADJUST, { g: "5" });
    expect(result.data?.adjustStock).toMatchObject({ id: "5", goodsId: "5", goods: null });
    expect(typeof result.data?.adjustStock.stocks).toBe("number");
    expect(errorCodes(result)).toContain("SUBGRAPH_UNAVAILABLE");
    expect(await ledger(5)).toBe(before + 1);
    // Selecting only what inventory itself knows needs no catalog at all.
    const own = await gql(
      stack.url,
      `mutation { adjustStock(goodsId: "5", delta: 1, reason: "own") { goods { id stocks } } }`,
    );
    expect(own.errors).toBeUndefined();
    expect(own.data?.adjustStock.goods.id).toBe("5");
  });
});

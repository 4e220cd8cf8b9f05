import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCodes, gql } from "../support/graphql-client";
import { type Stack, startStack } from "../support/stack";
import { as } from "../support/tokens";
import { ledgerViolations } from "./support/ledger-check";
import { ops } from "./support/operations";

/** The stock operations as clients send them: over HTTP, through the gateway. */
describe("stock operations through the gateway", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.stop());

  const storefrontStocks = async (id: string) =>
    (await gql(stack.url, "query($id: ID!) { goods(id: $id) { id stocks } }", { id })).data?.goods.stocks;

  it("an admin sets stock optimistically and the storefront sees it", async () => {
    const read = await gql(stack.url, ops.inventory, { goodsId: "10" });
    const version = read.data?.inventory.version as number;
    const set = await gql(stack.url, ops.setStock, { goodsId: "10", stocks: 33, expectedVersion: version });
    expect(set.errors).toBeUndefined();
    expect(set.data?.setStock).toMatchObject({ goodsId: "10", stocks: 33, version: version + 1 });
    expect(await storefrontStocks("10")).toBe(33);
    const stale = await gql(stack.url, ops.setStock, { goodsId: "10", stocks: 1, expectedVersion: version });
    expect(errorCodes(stale)).toEqual(["VERSION_CONFLICT"]);
    expect(stale.errors?.[0]?.extensions).toMatchObject({ currentVersion: version + 1 });
  });

  it("an order sells and rolls back; the storefront follows", async () => {
    await gql(stack.url, ops.setStock, { goodsId: "11", stocks: 5 });
    const sold = await gql(stack.url, ops.sellStock, { orderSn: "http-1", items: [{ goodsId: "11", num: 2 }] });
    expect(sold.data?.sellStock).toMatchObject({ status: "SOLD", items: [{ goodsId: "11", num: 2 }] });
    expect(await storefrontStocks("11")).toBe(3);
    const short = await gql(stack.url, ops.sellStock, { orderSn: "http-2", items: [{ goodsId: "11", num: 4 }] });
    expect(errorCodes(short)).toEqual(["INSUFFICIENT_STOCK"]);
    expect(short.errors?.[0]?.extensions?.goodsIds).toEqual(["11"]);
    const back = await gql(stack.url, ops.rebackStock, { orderSn: "http-1" });
    expect(back.data?.rebackStock).toMatchObject({ status: "RETURNED" });
    expect(await storefrontStocks("11")).toBe(5);
    const state = await gql(stack.url, ops.stockSell, { orderSn: "http-1" });
    expect(state.data?.stockSell).toMatchObject({ orderSn: "http-1", status: "RETURNED" });
    const ledger = await gql(stack.url, ops.stockMovements, { goodsId: "11", first: 2 });
    expect(ledger.data?.stockMovements.items.map((m: { kind: string }) => m.kind)).toEqual(["REBACK", "SELL"]);
  });

  it("records the token's subject and role in the ledger, never an x-actor header", async () => {
    const response = await fetch(stack.inventory.url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-actor": "mallory", ...(await as("admin", "bob@warehouse")) },
      body: JSON.stringify({ query: ops.adjustStock, variables: { goodsId: "12", delta: 3, reason: "found" } }),
    });
    expect(((await response.json()) as { errors?: unknown }).errors).toBeUndefined();
    const ledger = await gql(stack.url, ops.stockMovements, { goodsId: "12", first: 1 });
    expect(ledger.data?.stockMovements.items[0]).toMatchObject({ kind: "ADJUST", actor: "bob@warehouse (admin)" });
  });

  it("keeps the ledger consistent with the seeded and changed stock", async () => {
    expect(await ledgerViolations(stack.inventory.db.sql)).toEqual([]);
  });
});

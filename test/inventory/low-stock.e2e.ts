import { stockStatus } from "@emshop/inventory/stock/low-stock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCodes, gql } from "../support/graphql-client";
import { type Stack, startStack } from "../support/stack";
import { anonymousHeaders, as } from "../support/tokens";

const SET_STOCK = "mutation ($g: ID!, $s: Int!) { setStock(goodsId: $g, stocks: $s) { stocks } }";
const THRESHOLD = `mutation ($g: ID!, $t: Int) { setLowStockThreshold(goodsId: $g, threshold: $t) {
  id stocks version lowStockThreshold effectiveLowStockThreshold stockStatus goods { id stockStatus } } }`;
const LOW = `query ($first: Int, $after: String) { lowStockGoods(first: $first, after: $after) {
  items { goodsId stocks effectiveLowStockThreshold stockStatus } endCursor hasNextPage } }`;

describe("low stock", () => {
  let stack: Stack;
  const inventoryQueries: string[] = [];
  beforeAll(async () => {
    stack = await startStack({ onInventoryQuery: (sql) => inventoryQueries.push(sql) });
    // Goods 1..4 at 0, 5, 10 and 11 units (the default threshold is 10).
    for (const [goodsId, stocks] of [
      [1, 0],
      [2, 5],
      [3, 10],
      [4, 11],
    ])
      await gql(stack.url, SET_STOCK, { g: String(goodsId), s: stocks });
  });
  afterAll(async () => {
    await stack?.stop();
  });
  const statusOf = async (id: string) =>
    (await gql(stack.url, "query ($id: ID!) { goods(id: $id) { stocks stockStatus } }", { id }, anonymousHeaders)).data
      ?.goods;
  const counts = async () =>
    (
      await stack.inventory.db.sql.query<{ ledger: string; versions: string }>(
        "SELECT (SELECT count(*) FROM stock_movement) ledger, (SELECT sum(version) FROM inventory) versions",
      )
    )[0];

  it("Goods.stockStatus: OUT_OF_STOCK at 0, LOW_STOCK up to the default threshold, then IN_STOCK; public", async () => {
    expect(await statusOf("1")).toEqual({ stocks: 0, stockStatus: "OUT_OF_STOCK" });
    expect(await statusOf("2")).toEqual({ stocks: 5, stockStatus: "LOW_STOCK" });
    expect(await statusOf("3")).toEqual({ stocks: 10, stockStatus: "LOW_STOCK" });
    expect(await statusOf("4")).toEqual({ stocks: 11, stockStatus: "IN_STOCK" });
  });

  it("is null for a goods inventory has no row for", async () => {
    await stack.inventory.db.sql.query("DELETE FROM inventory WHERE goods_id = 150");
    expect(await statusOf("150")).toEqual({ stocks: null, stockStatus: null });
  });

  it("is resolved in the same single SQL query as stocks", async () => {
    inventoryQueries.length = 0;
    const list = await gql(stack.url, "{ goodsList(pageSize: 50) { items { id stocks stockStatus } } }");
    expect(list.errors).toBeUndefined();
    expect(list.data?.goodsList.items).toHaveLength(50);
    expect(inventoryQueries.filter((sql) => /from\s+("public"\.)?"?inventory"?\s/i.test(sql))).toHaveLength(1);
  });

  it("setLowStockThreshold: its own threshold wins, null goes back to the default; no stock change, no ledger row", async () => {
    const before = await counts();
    const raised = await gql(stack.url, THRESHOLD, { g: "4", t: 20 });
    expect(raised.errors).toBeUndefined();
    expect(raised.data?.setLowStockThreshold).toMatchObject({
      id: "4",
      stocks: 11,
      lowStockThreshold: 20,
      effectiveLowStockThreshold: 20,
      stockStatus: "LOW_STOCK",
      goods: { id: "4", stockStatus: "LOW_STOCK" },
    });
    expect(await statusOf("4")).toEqual({ stocks: 11, stockStatus: "LOW_STOCK" });
    const zero = await gql(stack.url, THRESHOLD, { g: "2", t: 0 });
    expect(zero.data?.setLowStockThreshold).toMatchObject({ stockStatus: "IN_STOCK", effectiveLowStockThreshold: 0 });
    const cleared = await gql(stack.url, THRESHOLD, { g: "4", t: null });
    expect(cleared.data?.setLowStockThreshold).toMatchObject({
      lowStockThreshold: null,
      effectiveLowStockThreshold: 10,
      stockStatus: "IN_STOCK",
    });
    expect(await counts()).toEqual(before);
  });

  it("setLowStockThreshold refuses bad input, unknown goods and callers without stock:write", async () => {
    expect(errorCodes(await gql(stack.url, THRESHOLD, { g: "3", t: -1 }))).toEqual(["BAD_USER_INPUT"]);
    expect(errorCodes(await gql(stack.url, THRESHOLD, { g: "150", t: 5 }))).toEqual(["NOT_FOUND"]);
    expect(errorCodes(await gql(stack.url, THRESHOLD, { g: "3", t: 5 }, anonymousHeaders))).toEqual([
      "UNAUTHENTICATED",
    ]);
    expect(errorCodes(await gql(stack.url, THRESHOLD, { g: "3", t: 5 }, await as("order-service")))).toEqual([
      "FORBIDDEN",
    ]);
  });

  it("lowStockGoods pages every goods at or below its threshold, emptiest first, and nothing else", async () => {
    const expected = await stack.inventory.db.sql.query<{ goods_id: number; stocks: number }>(
      "SELECT goods_id, stocks FROM inventory WHERE stocks <= COALESCE(low_stock_threshold, 10) ORDER BY stocks, goods_id",
    );
    expect(expected.length).toBeGreaterThan(3);
    const seen: { goodsId: string; stocks: number; stockStatus: string }[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page: {
        data?: { lowStockGoods: { items: typeof seen; endCursor: string | null; hasNextPage: boolean } } | null;
      } = await gql(stack.url, LOW, { first: 3, after });
      const { items, endCursor, hasNextPage } = page.data?.lowStockGoods ?? {
        items: [],
        endCursor: null,
        hasNextPage: false,
      };
      seen.push(...items);
      after = hasNextPage ? endCursor : null;
      pages++;
    } while (after && pages < 1000);
    expect(seen.map((item) => [Number(item.goodsId), item.stocks])).toEqual(
      expected.map((row) => [row.goods_id, row.stocks]),
    );
    expect(seen.every((item) => item.stockStatus !== "IN_STOCK")).toBe(true);
    expect(seen.some((item) => item.goodsId === "2")).toBe(false); // its own threshold is 0
    expect(errorCodes(await gql(stack.url, LOW, { first: 101 }))).toEqual(["BAD_USER_INPUT"]);
    expect(errorCodes(await gql(stack.url, LOW, { after: "garbage" }))).toEqual(["BAD_USER_INPUT"]);
    expect(errorCodes(await gql(stack.url, LOW, {}, anonymousHeaders))).toEqual(["UNAUTHENTICATED"]);
  });

  it("the default threshold is the service's setting; 0 means never low, only out", () => {
    expect(stockStatus(5, null, { defaultThreshold: 0 })).toBe("IN_STOCK");
    expect(stockStatus(0, null, { defaultThreshold: 0 })).toBe("OUT_OF_STOCK");
    expect(stockStatus(3, null, { defaultThreshold: 3 })).toBe("LOW_STOCK");
    expect(stockStatus(3, 2, { defaultThreshold: 3 })).toBe("IN_STOCK");
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCodes, gql } from "../support/graphql-client";
import { type Stack, startStack } from "../support/stack";

const EXAMPLE_QUERY = /* GraphQL */ `
  {
    goodsList(pageSize: 20) {
      total
      items { id name shopPrice category { name } brand { name } stocks }
    }
  }
`;

describe("the federated API over HTTP", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.stop());

  it("answers the README example query with data from both subgraphs", async () => {
    const response = await gql(stack.url, EXAMPLE_QUERY);
    expect(response.errors).toBeUndefined();
    const { total, items } = response.data?.goodsList ?? {};
    expect(total).toBe(150);
    expect(items).toHaveLength(20);
    for (const item of items) {
      expect(item.name).toEqual(expect.any(String));
      expect(item.category.name).toEqual(expect.any(String));
      expect(item.brand.name).toEqual(expect.any(String));
      expect(item.stocks).toEqual(expect.any(Number));
    }
    // The stock shown is exactly what the inventory database holds.
    const rows = await stack.inventory.db.prisma.inventory.findMany({
      where: { goodsId: { in: items.map((item: { id: string }) => Number(item.id)) } },
    });
    const expected = Object.fromEntries(rows.map((row) => [String(row.goodsId), row.stocks]));
    expect(Object.fromEntries(items.map((item: { id: string; stocks: number }) => [item.id, item.stocks]))).toEqual(
      expected,
    );
  });

  it("serves stocks: null for goods that inventory has no row for", async () => {
    await stack.inventory.db.prisma.inventory.delete({ where: { goodsId: 150 } });
    const response = await gql(stack.url, `{ goods(id: "150") { id name stocks } }`);
    expect(response.errors).toBeUndefined();
    expect(response.data?.goods).toMatchObject({ id: "150", stocks: null });
  });

  it("reports health: live and ready for every service", async () => {
    for (const service of [stack.gateway, stack.goods, stack.inventory]) {
      const base = service.url.replace(/\/graphql$/, "");
      const live = await fetch(`${base}/health/live`);
      const ready = await fetch(`${base}/health/ready`);
      expect(live.status).toBe(200);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: "ready" });
    }
  });

  it("rejects malformed and invalid operations with coded errors", async () => {
    expect(errorCodes(await gql(stack.url, "{ goodsList(pageSize: 2 { total } }"))).toEqual(["GRAPHQL_PARSE_FAILED"]);
    expect(errorCodes(await gql(stack.url, "{ goodsList { nope } }"))).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    expect(errorCodes(await gql(stack.url, `{ goodsList(pageSize: "ten") { total } }`))).toEqual([
      "GRAPHQL_VALIDATION_FAILED",
    ]);
    expect(errorCodes(await gql(stack.url, "{ goodsList(pageSize: 101) { total } }"))).toEqual(["BAD_USER_INPUT"]);
    expect(errorCodes(await gql(stack.url, "{ goodsList(page: 0) { total } }"))).toEqual(["BAD_USER_INPUT"]);
    expect(errorCodes(await gql(stack.url, `{ goods(id: "abc") { id } }`))).toEqual(["BAD_USER_INPUT"]);
    expect(
      errorCodes(await gql(stack.url, "query($size: Int) { goodsList(pageSize: $size) { total } }", { size: "x" })),
    ).toEqual(["BAD_USER_INPUT"]);
  });
});

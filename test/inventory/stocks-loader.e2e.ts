import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql } from "../support/graphql-client";
import { type Stack, startStack } from "../support/stack";

/**
 * Goods.stocks is resolved through a per-request DataLoader: however many
 * goods a storefront request lists, the inventory subgraph sends one SQL
 * query for their stock.
 */
describe("Goods.stocks batching", () => {
  let stack: Stack;
  const inventoryQueries: string[] = [];
  beforeAll(async () => {
    stack = await startStack({ onInventoryQuery: (sql) => inventoryQueries.push(sql) });
  });
  afterAll(() => stack?.stop());

  // The stock-event ticker runs on its own timer in the same process (its lock
  // and its snapshot insert); those statements belong to no request.
  const requestQueries = () =>
    inventoryQueries.filter((sql) => !/stock_event_tick|pg_try_advisory_xact_lock/.test(sql));
  const stockQueries = () => inventoryQueries.filter((sql) => /from\s+("public"\.)?"?inventory"?\s/i.test(sql));

  it.each([1, 20, 100])("sends one inventory query for a list of %i goods", async (size) => {
    inventoryQueries.length = 0;
    const response = await gql(stack.url, "query($size: Int) { goodsList(pageSize: $size) { items { id stocks } } }", {
      size,
    });
    expect(response.errors).toBeUndefined();
    const items = response.data?.goodsList.items as { id: string; stocks: number | null }[];
    expect(items).toHaveLength(size);
    expect(items.every((item) => typeof item.stocks === "number")).toBe(true);
    expect(stockQueries()).toHaveLength(1);
    expect(requestQueries()).toHaveLength(1);
  });

  it("the _entities cap bounds the SQL: 1,000 representations sent to inventory directly are one query of at most 1,000 ids", async () => {
    inventoryQueries.length = 0;
    const representations = Array.from({ length: 1000 }, (_, i) => ({ __typename: "Goods", id: String(i + 1) }));
    const response = await gql(
      stack.inventory.url,
      "query ($r: [_Any!]!) { _entities(representations: $r) { ... on Goods { stocks } } }",
      { r: representations },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data?._entities).toHaveLength(1000);
    expect(stockQueries()).toHaveLength(1);
    const refused = await gql(
      stack.inventory.url,
      "query ($r: [_Any!]!) { _entities(representations: $r) { ... on Goods { stocks } } }",
      { r: [...representations, { __typename: "Goods", id: "1001" }] },
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(stockQueries()).toHaveLength(1); // the refused call reached no database
  });

  it("does not share cached stock between requests", async () => {
    const query = `{ goods(id: "7") { stocks } }`;
    const before = (await gql(stack.url, query)).data?.goods.stocks as number;
    await stack.inventory.db.prisma.inventory.update({ where: { goodsId: 7 }, data: { stocks: before + 5 } });
    expect((await gql(stack.url, query)).data?.goods.stocks).toBe(before + 5);
  });
});

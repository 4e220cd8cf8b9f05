import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql } from "../support/graphql-client";
import { type Stack, startStack } from "../support/stack";
import { token } from "../support/tokens";

const NUL = "\u0000";
const goods = (fields: Record<string, unknown>) => ({
  goodsSn: "NUL-1",
  name: "n",
  brief: "bbb",
  marketPrice: 1,
  shopPrice: 1,
  frontImage: "https://i/x.png",
  categoryId: "1",
  brandId: "1",
  ...fields,
});

/** NUL in any string argument, literal or variable, at any depth: BAD_USER_INPUT naming it, and no write. */
const CASES: [name: string, query: string, variables: Record<string, unknown> | undefined, field: string][] = [
  [
    "goods name (variable)",
    "mutation ($i: CreateGoodsInput!) { createGoods(input: $i) { id } }",
    { i: goods({ name: `Ket${NUL}tle` }) },
    "createGoods.input.name",
  ],
  [
    "goodsSn (variable)",
    "mutation ($i: CreateGoodsInput!) { createGoods(input: $i) { id } }",
    { i: goods({ goodsSn: `SN${NUL}` }) },
    "createGoods.input.goodsSn",
  ],
  [
    "description (variable)",
    "mutation ($i: CreateGoodsInput!) { createGoods(input: $i) { id } }",
    { i: goods({ description: `long${NUL}text` }) },
    "createGoods.input.description",
  ],
  [
    "an image URL in a list (variable)",
    "mutation ($i: CreateGoodsInput!) { createGoods(input: $i) { id } }",
    { i: goods({ images: ["https://i/a.png", `https://i/${NUL}.png`] }) },
    "createGoods.input.images[1]",
  ],
  [
    "brand name (literal)",
    'mutation { createBrand(input: { name: "Ev\\u0000il", logo: "https://i/l.png" }) { id } }',
    undefined,
    "createBrand.input.name",
  ],
  [
    "orderSn (variable)",
    'mutation ($o: String!) { sellStock(orderSn: $o, items: [{ goodsId: "1", num: 1 }]) { status } }',
    { o: `SO${NUL}1` },
    "sellStock.orderSn",
  ],
  [
    "reason (literal)",
    'mutation { adjustStock(goodsId: "1", delta: 1, reason: "a\\u0000b") { stocks } }',
    undefined,
    "adjustStock.reason",
  ],
  [
    "search keywords (variable)",
    "query ($k: String) { goodsList(filter: { keywords: $k }) { total } }",
    { k: `tea${NUL}` },
    "goodsList.filter.keywords",
  ],
];

describe("NUL in string arguments", () => {
  let stack: Stack;
  let admin: Record<string, string>;
  beforeAll(async () => {
    stack = await startStack();
    admin = { authorization: `Bearer ${await token({ subject: "nul" })}` };
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it.each(CASES)("%s: BAD_USER_INPUT naming the argument, nothing written", async (_name, query, variables, field) => {
    const before = await stack.inventory.db.sql.query("SELECT count(*) n FROM stock_movement");
    const goodsBefore = await stack.goods.db.sql.query(
      "SELECT (SELECT count(*) FROM goods) + (SELECT count(*) FROM brand) n",
    );
    const result = await gql(stack.url, query, variables, admin);
    expect(result.errors).toHaveLength(1);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
    expect(result.errors?.[0]?.message).toContain("NUL");
    expect(await stack.inventory.db.sql.query("SELECT count(*) n FROM stock_movement")).toEqual(before);
    expect(
      await stack.goods.db.sql.query("SELECT (SELECT count(*) FROM goods) + (SELECT count(*) FROM brand) n"),
    ).toEqual(goodsBefore);
  });

  it("a subgraph reached directly refuses the same way", async () => {
    const result = await gql(stack.inventory.url, CASES[6]?.[1] ?? "", undefined, admin);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "adjustStock.reason" });
  });
});

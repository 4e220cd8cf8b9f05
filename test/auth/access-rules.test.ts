import { accessRuleOf } from "@emshop/common/auth/access-rules";
import { schema as goodsSchema } from "@emshop/goods/server";
import { schema as inventorySchema } from "@emshop/inventory/server";
import { type GraphQLSchema, isObjectType } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InventorySubgraph, startInventorySubgraph } from "../inventory/support/inventory-subgraph";
import { type GoodsSubgraph, startGoodsSubgraph } from "../support/goods-subgraph";
import { anonymousHeaders, token } from "../support/tokens";

const SUBGRAPHS: [string, GraphQLSchema][] = [
  ["goods", goodsSchema],
  ["inventory", inventorySchema],
];

/** What shoppers read without a token. */
const PUBLIC = [
  "Query.goods",
  "Query.goodsList",
  "Query.categories",
  "Query.category",
  "Query.brands",
  "Query.banners",
  "Query.categoryBrands",
  "Query.inventory",
  "Goods.stocks",
];

describe("access rules declared in the SDL", () => {
  it.each(SUBGRAPHS)("every Mutation field of %s has one", (_name, schema) => {
    const fields = Object.values(schema.getMutationType()?.getFields() ?? {});
    expect(fields.length).toBeGreaterThan(0);
    const unguarded = fields.filter((field) => !accessRuleOf(schema, "Mutation", field)).map((field) => field.name);
    expect(unguarded).toEqual([]);
  });

  it("the storefront's fields stay public", () => {
    for (const coordinate of PUBLIC) {
      const [typeName = "", fieldName = ""] = coordinate.split(".");
      const fieldOf = (schema: GraphQLSchema) => {
        const type = schema.getType(typeName);
        return isObjectType(type) ? type.getFields()[fieldName] : undefined;
      };
      const owners = SUBGRAPHS.map(([, schema]) => schema).filter((schema) => fieldOf(schema));
      expect(owners.length, `${coordinate} is served by no subgraph`).toBeGreaterThan(0);
      for (const schema of owners) {
        const field = fieldOf(schema);
        if (field) expect(accessRuleOf(schema, typeName, field), coordinate).toBeNull();
      }
    }
  });
});

type Subgraph = "goods" | "inventory";

/** One operation per protected field, with the scope it needs. */
const PROTECTED: [string, Subgraph, string, string][] = [
  [
    "createGoods",
    "goods",
    "catalog:write",
    `mutation { createGoods(input: { goodsSn: "AUTH-1", name: "n", brief: "b", marketPrice: 2, shopPrice: 1, frontImage: "https://img/x.png", categoryId: "999999", brandId: "1" }) { id } }`,
  ],
  ["updateGoods", "goods", "catalog:write", `mutation { updateGoods(id: "1", input: { name: "renamed" }) { id } }`],
  ["deleteGoods", "goods", "catalog:write", `mutation { deleteGoods(id: "999999") }`],
  ["updateGoodsStatus", "goods", "catalog:write", `mutation { updateGoodsStatus(id: "1", isHot: true) { id } }`],
  ["createCategory", "goods", "catalog:write", `mutation { createCategory(input: { name: "auth", level: 1 }) { id } }`],
  [
    "updateCategory",
    "goods",
    "catalog:write",
    `mutation { updateCategory(id: "1", input: { name: "renamed" }) { id } }`,
  ],
  ["deleteCategory", "goods", "catalog:write", `mutation { deleteCategory(id: "999999") }`],
  ["createBrand", "goods", "catalog:write", `mutation { createBrand(input: { name: "auth-brand" }) { id } }`],
  [
    "updateBrand",
    "goods",
    "catalog:write",
    `mutation { updateBrand(id: "1", input: { name: "renamed-brand" }) { id } }`,
  ],
  ["deleteBrand", "goods", "catalog:write", `mutation { deleteBrand(id: "999999") }`],
  [
    "createBanner",
    "goods",
    "catalog:write",
    `mutation { createBanner(input: { image: "https://img/b.png", url: "https://shop/x" }) { id } }`,
  ],
  [
    "updateBanner",
    "goods",
    "catalog:write",
    `mutation { updateBanner(id: "1", input: { image: "https://img/c.png", url: "https://shop/y" }) { id } }`,
  ],
  ["deleteBanner", "goods", "catalog:write", `mutation { deleteBanner(id: "999999") }`],
  [
    "createCategoryBrand",
    "goods",
    "catalog:write",
    `mutation { createCategoryBrand(categoryId: "999999", brandId: "1") { id } }`,
  ],
  [
    "updateCategoryBrand",
    "goods",
    "catalog:write",
    `mutation { updateCategoryBrand(id: "999999", categoryId: "1", brandId: "1") { id } }`,
  ],
  ["deleteCategoryBrand", "goods", "catalog:write", `mutation { deleteCategoryBrand(id: "999999") }`],
  ["setStock", "inventory", "stock:write", `mutation { setStock(goodsId: "1", stocks: 7) { stocks } }`],
  [
    "adjustStock",
    "inventory",
    "stock:write",
    `mutation { adjustStock(goodsId: "1", delta: 1, reason: "auth") { stocks } }`,
  ],
  [
    "batchSetStocks",
    "inventory",
    "stock:write",
    `mutation { batchSetStocks(items: [{ goodsId: "2", stocks: 3 }]) { stocks } }`,
  ],
  [
    "sellStock",
    "inventory",
    "stock:sell",
    `mutation { sellStock(orderSn: "AUTH-1", items: [{ goodsId: "1", num: 1 }]) { status } }`,
  ],
  ["rebackStock", "inventory", "stock:sell", `mutation { rebackStock(orderSn: "AUTH-2") { status } }`],
  ["stockSell", "inventory", "stock:sell", `{ stockSell(orderSn: "AUTH-1") { status } }`],
  ["stockMovements", "inventory", "stock:audit", `{ stockMovements(goodsId: "1") { items { delta } } }`],
];

describe("each protected operation: no token, a token without the scope, the right token", () => {
  let goods: GoodsSubgraph;
  let inventory: InventorySubgraph;
  beforeAll(async () => {
    goods = await startGoodsSubgraph("auth_matrix", { goodsCount: 20 });
    inventory = await startInventorySubgraph("auth_matrix", [10, 10]);
  });
  afterAll(async () => {
    await goods?.close();
    await inventory?.close();
  });

  /** Everything a refused call could have changed. */
  const snapshot = async () => ({
    goods: await goods.db.sql.query(
      `SELECT (SELECT count(*) FROM goods) g, (SELECT count(*) FROM category) c, (SELECT count(*) FROM brand) b,
              (SELECT count(*) FROM banner) ba, (SELECT count(*) FROM category_brand) cb,
              (SELECT md5(string_agg(name || is_hot::text, ',' ORDER BY id)) FROM goods) gh,
              (SELECT md5(string_agg(name, ',' ORDER BY id)) FROM category) ch`,
    ),
    inventory: await inventory.db.sql.query(
      `SELECT (SELECT sum(stocks) FROM inventory) s, (SELECT count(*) FROM stock_movement) m,
              (SELECT count(*) FROM stock_sell) o, (SELECT count(*) FROM stock_request) r`,
    ),
  });

  it.each(PROTECTED)("%s (%s, needs %s)", async (_field, subgraph, scope, query) => {
    const client = subgraph === "goods" ? goods : inventory;
    const before = await snapshot();

    const anonymous = await client.run(query, undefined, anonymousHeaders);
    expect(anonymous.errors?.map((error) => error.extensions?.code)).toEqual(["UNAUTHENTICATED"]);
    expect(anonymous.errors?.[0]?.message).toContain(scope);

    const expired = await client.run(query, undefined, {
      authorization: `Bearer ${await token({ ttlSeconds: -120 })}`,
    });
    expect(expired.errors?.[0]).toMatchObject({ extensions: { code: "UNAUTHENTICATED" } });
    expect(expired.errors?.[0]?.message).toContain("expired");

    // A valid token without the scope: every other scope, no role.
    const otherScopes = ["catalog:write", "stock:write", "stock:sell", "stock:audit"].filter((s) => s !== scope);
    const wrong = await client.run(query, undefined, {
      authorization: `Bearer ${await token({ role: undefined, scopes: otherScopes })}`,
    });
    expect(wrong.errors?.map((error) => error.extensions?.code)).toEqual(["FORBIDDEN"]);
    expect(wrong.errors?.[0]?.extensions?.requiredScopes).toEqual([[scope]]);

    expect(await snapshot()).toEqual(before); // refused means nothing written

    const right = await client.run(query, undefined, {
      authorization: `Bearer ${await token({ role: undefined, scopes: [scope] })}`,
    });
    for (const error of right.errors ?? [])
      expect(["UNAUTHENTICATED", "FORBIDDEN"]).not.toContain(error.extensions?.code);
  });

  it("roles grant their scopes: the order service sells but cannot change the catalog or set stock", async () => {
    const orders = { authorization: `Bearer ${await token({ subject: "orders", role: "order-service" })}` };
    const sold = await inventory.run(
      `mutation { sellStock(orderSn: "ROLE-1", items: [{ goodsId: "2", num: 1 }]) { status } }`,
      undefined,
      orders,
    );
    expect(sold.errors).toBeUndefined();
    expect(sold.data?.sellStock.status).toBe("SOLD");
    const set = await inventory.run(`mutation { setStock(goodsId: "2", stocks: 1) { stocks } }`, undefined, orders);
    expect(set.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const brand = await goods.run(`mutation { createBrand(input: { name: "x" }) { id } }`, undefined, orders);
    expect(brand.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("an invalid Authorization header on a public field is no error: shoppers browse regardless", async () => {
    const result = await goods.run(`{ goodsList(pageSize: 1) { total } }`, undefined, {
      authorization: "Bearer not-a-jwt",
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?.goodsList.total).toBe(20);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, type GoodsSubgraph, startGoodsSubgraph } from "../support/goods-subgraph";

const CREATE = "mutation ($input: CreateGoodsInput!) { createGoods(input: $input) { id shopPrice marketPrice } }";
const UPDATE =
  "mutation ($id: ID!, $input: UpdateGoodsInput!) { updateGoods(id: $id, input: $input) { id shopPrice } }";
const SEARCH = "query ($k: String) { goodsList(filter: { keywords: $k }, pageSize: 100) { total items { name } } }";

/** Values a client may send that the catalog must refuse (or store exactly), never change silently. */
describe("goods input bounds", () => {
  let goods: GoodsSubgraph;
  let leafId: string;
  let sn = 0;
  const input = (overrides: Record<string, unknown> = {}) => ({
    goodsSn: `B-${++sn}`,
    name: "Bounded Kettle",
    brief: "Boils water",
    marketPrice: 10,
    shopPrice: 9.99,
    frontImage: "https://img.test/k.jpg",
    categoryId: leafId,
    brandId: "1",
    ...overrides,
  });
  const count = () => goods.db.prisma.goods.count();

  beforeAll(async () => {
    goods = await startGoodsSubgraph("goods_bounds");
    const leaf = await goods.db.prisma.category.findFirstOrThrow({ where: { level: 3 }, orderBy: { id: "asc" } });
    leafId = String(leaf.id);
    // Names with LIKE's special characters, to tell a literal match from a wildcard one.
    for (const name of ["100% Cotton Tee", "snake_case Mug", "Back\\slash Pen"])
      await goods.ok(CREATE, { input: input({ name }) });
  });
  afterAll(() => goods?.close());

  describe("keywords are literal text", () => {
    it.each([
      ["%", ["100% Cotton Tee"]],
      ["_", ["snake_case Mug"]],
      ["\\", ["Back\\slash Pen"]],
      ["0% c", ["100% Cotton Tee"]],
      ["e_c", ["snake_case Mug"]],
    ])("%j matches only names containing it", async (keywords, names) => {
      const data = await goods.ok(SEARCH, { k: keywords });
      expect(data.goodsList.items.map((item: { name: string }) => item.name)).toEqual(names);
      expect(data.goodsList.total).toBe(names.length);
    });

    it("a keyword of 100 characters is searched; 101 is refused before any query", async () => {
      expect((await goods.ok(SEARCH, { k: "k".repeat(100) })).goodsList.total).toBe(0);
      const refused = failure(await goods.run(SEARCH, { k: "k".repeat(101) }));
      expect(refused).toMatchObject({ code: "BAD_USER_INPUT", field: "filter.keywords" });
      expect(refused.message).toContain("at most 100 characters");
    });
  });

  describe("prices are stored exactly or refused", () => {
    it.each([0.001, 19.999, 1e-7, 0.1 + 0.2])("shopPrice %s (more than two decimals) is refused", async (price) => {
      const before = await count();
      expect(failure(await goods.run(CREATE, { input: input({ shopPrice: price }) }))).toMatchObject({
        code: "BAD_USER_INPUT",
        field: "input.shopPrice",
      });
      expect(await count()).toBe(before);
    });

    it("marketPrice with three decimals is refused on update too", async () => {
      const { createGoods } = await goods.ok(CREATE, { input: input() });
      expect(failure(await goods.run(UPDATE, { id: createGoods.id, input: { marketPrice: 5.125 } }))).toMatchObject({
        code: "BAD_USER_INPUT",
        field: "input.marketPrice",
      });
      const row = await goods.db.prisma.goods.findUniqueOrThrow({ where: { id: Number(createGoods.id) } });
      expect(Number(row.marketPrice)).toBe(10);
    });

    it("-0 is stored as 0, two decimals as given", async () => {
      const { createGoods } = await goods.ok(CREATE, { input: input({ shopPrice: -0, marketPrice: 12.34 }) });
      expect(Object.is(createGoods.shopPrice, 0)).toBe(true);
      expect(createGoods.marketPrice).toBe(12.34);
    });
  });

  describe("text and lists are bounded", () => {
    it("a description of 20,000 characters is kept; 20,001 is refused", async () => {
      await goods.ok(CREATE, { input: input({ description: "d".repeat(20_000) }) });
      const before = await count();
      expect(failure(await goods.run(CREATE, { input: input({ description: "d".repeat(20_001) }) }))).toMatchObject({
        code: "BAD_USER_INPUT",
        field: "input.description",
      });
      expect(await count()).toBe(before);
    });

    it("50 images are kept; 51 (or 51 description images) are refused", async () => {
      const urls = (n: number) => Array.from({ length: n }, (_, i) => `https://img.test/${i}.jpg`);
      await goods.ok(CREATE, { input: input({ images: urls(50) }) });
      const before = await count();
      for (const field of ["images", "descImages"])
        expect(failure(await goods.run(CREATE, { input: input({ [field]: urls(51) }) }))).toMatchObject({
          code: "BAD_USER_INPUT",
          field: `input.${field}`,
        });
      expect(await count()).toBe(before);
    });
  });
});

import type { Category, Goods } from "@emshop/db/goods";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, type GoodsSubgraph, startGoodsSubgraph } from "../support/goods-subgraph";

type Row = Goods & { category: Category };

describe("goods subgraph queries", () => {
  let goods: GoodsSubgraph;
  let rows: Row[];
  let categories: Category[];
  let sqlCount = 0;

  beforeAll(async () => {
    goods = await startGoodsSubgraph("goods_queries", { onQuery: () => sqlCount++ });
    rows = await goods.db.prisma.goods.findMany({ include: { category: true } });
    categories = await goods.db.prisma.category.findMany();
  });
  afterAll(() => goods?.close());

  /** Ids of every goods the filter matches, over all pages, newest first. */
  async function listIds(filter: Record<string, unknown>) {
    const pageSize = 100;
    const ids: number[] = [];
    for (let page = 1; ; page++) {
      const data = await goods.ok(
        `query($filter: GoodsFilter, $page: Int, $pageSize: Int) {
           goodsList(filter: $filter, page: $page, pageSize: $pageSize) { total items { id } }
         }`,
        { filter, page, pageSize },
      );
      const { total, items } = data.goodsList;
      ids.push(...items.map((item: { id: string }) => Number(item.id)));
      if (ids.length >= total) {
        expect(ids).toHaveLength(total);
        return ids;
      }
      // A paging bug (short or empty pages, a total that never fills) fails here instead of looping forever.
      if (page >= Math.ceil(total / pageSize) + 1) {
        expect.fail(
          `goodsList(filter: ${JSON.stringify(filter)}) gave ${ids.length} of ${total} ids after ${page} pages of ${pageSize}`,
        );
      }
    }
  }
  const expectedIds = (match: (row: Row) => boolean) =>
    rows
      .filter(match)
      .map((row) => row.id)
      .sort((a, b) => b - a);

  describe("goodsList", () => {
    it("pages through all goods, newest first, with prices as numbers", async () => {
      const data = await goods.ok(
        "{ goodsList(page: 2, pageSize: 20) { total page pageSize items { id shopPrice } } }",
      );
      expect(data.goodsList).toMatchObject({ total: 150, page: 2, pageSize: 20 });
      expect(data.goodsList.items.map((item: { id: string }) => item.id)).toEqual(
        Array.from({ length: 20 }, (_, i) => String(130 - i)),
      );
      const row = rows.find((r) => r.id === 130);
      expect(data.goodsList.items[0].shopPrice).toBe(Number(row?.shopPrice));
    });

    it("defaults to page 1 of 10 and accepts the maximum page size of 100", async () => {
      const data = await goods.ok(
        "{ goodsList { page pageSize items { id } } big: goodsList(pageSize: 100) { items { id } } }",
      );
      expect(data.goodsList).toMatchObject({ page: 1, pageSize: 10 });
      expect(data.goodsList.items).toHaveLength(10);
      expect(data.big.items).toHaveLength(100);
    });

    it("returns an empty page past the end", async () => {
      const data = await goods.ok("{ goodsList(page: 99, pageSize: 10) { total items { id } } }");
      expect(data.goodsList).toEqual({ total: 150, items: [] });
    });

    it("refuses pageSize 101 and page 0 with BAD_USER_INPUT naming the argument", async () => {
      expect(failure(await goods.run("{ goodsList(pageSize: 101) { total } }"))).toMatchObject({
        code: "BAD_USER_INPUT",
        field: "pageSize",
      });
      expect(failure(await goods.run("{ goodsList(page: 0) { total } }"))).toMatchObject({
        code: "BAD_USER_INPUT",
        field: "page",
      });
    });

    it("filters by price range, inclusive", async () => {
      const [min, max] = [100, 300];
      const ids = await listIds({ priceMin: min, priceMax: max });
      expect(ids.length).toBeGreaterThan(0);
      expect(ids).toEqual(expectedIds((r) => Number(r.shopPrice) >= min && Number(r.shopPrice) <= max));
      // Inclusive at both ends: a range of exactly one goods' price finds it.
      const one = rows[7] as Row;
      const exact = await listIds({ priceMin: Number(one.shopPrice), priceMax: Number(one.shopPrice) });
      expect(exact).toContain(one.id);
    });

    it("refuses invalid price bounds", async () => {
      const negative = await goods.run("{ goodsList(filter: { priceMin: -1 }) { total } }");
      expect(failure(negative)).toMatchObject({ code: "BAD_USER_INPUT", field: "filter.priceMin" });
      const reversed = await goods.run("{ goodsList(filter: { priceMin: 10, priceMax: 5 }) { total } }");
      expect(failure(reversed)).toMatchObject({ code: "BAD_USER_INPUT", field: "filter.priceMin" });
    });

    it.each([
      ["isHot", true],
      ["isHot", false],
      ["isNew", true],
      ["onSale", false],
    ] as const)("filters by %s = %s", async (flag, value) => {
      const ids = await listIds({ [flag]: value });
      expect(ids.length).toBeGreaterThan(0);
      expect(ids).toEqual(expectedIds((r) => r[flag] === value));
    });

    it("filters by isTab of the goods' category", async () => {
      // The seed only puts goods in level-3 categories, none of which is a tab.
      expect(await listIds({ isTab: true })).toEqual(expectedIds((r) => r.category.isTab));
      expect(await listIds({ isTab: false })).toEqual(expectedIds((r) => !r.category.isTab));
      await goods.db.prisma.category.update({ where: { id: rows[0]?.categoryId }, data: { isTab: true } });
      try {
        const tabbed = await listIds({ isTab: true });
        expect(tabbed.length).toBeGreaterThan(0);
        expect(tabbed).toEqual(expectedIds((r) => r.categoryId === rows[0]?.categoryId));
      } finally {
        await goods.db.prisma.category.update({ where: { id: rows[0]?.categoryId }, data: { isTab: false } });
      }
    });

    it("filters by topCategory including all its descendants", async () => {
      const parentOf = new Map(categories.map((c) => [c.id, c.parentId]));
      const underTop = (categoryId: number, topId: number): boolean =>
        categoryId === topId ||
        (parentOf.get(categoryId) != null && underTop(parentOf.get(categoryId) as number, topId));
      const top = categories.find((c) => c.level === 1) as Category;
      const ids = await listIds({ topCategory: String(top.id) });
      expect(ids.length).toBeGreaterThan(0);
      expect(ids).toEqual(expectedIds((r) => underTop(r.categoryId, top.id)));
      const second = categories.find((c) => c.level === 2 && c.id === parentOf.get(rows[0]?.categoryId ?? 0));
      expect(await listIds({ topCategory: String(second?.id) })).toEqual(
        expectedIds((r) => parentOf.get(r.categoryId) === second?.id),
      );
      const leaf = rows[0]?.categoryId as number;
      expect(await listIds({ topCategory: String(leaf) })).toEqual(expectedIds((r) => r.categoryId === leaf));
    });

    it("filters by brand", async () => {
      const brandId = rows[3]?.brandId as number;
      expect(await listIds({ brand: String(brandId) })).toEqual(expectedIds((r) => r.brandId === brandId));
      expect(await listIds({ brand: "999" })).toEqual([]);
    });

    it("matches keywords case-insensitively on name or brief", async () => {
      const word = (rows[5]?.name.split(" ")[0] ?? "").toUpperCase();
      const ids = await listIds({ keywords: word });
      const lower = word.toLowerCase();
      expect(ids).toContain(rows[5]?.id);
      expect(ids).toEqual(
        expectedIds((r) => r.name.toLowerCase().includes(lower) || r.brief.toLowerCase().includes(lower)),
      );
      // A word only in a brief still matches.
      await goods.db.prisma.goods.update({ where: { id: 42 }, data: { brief: "Contains zebrawood inlay" } });
      expect(await listIds({ keywords: "ZebraWood" })).toEqual([42]);
    });

    it("combines filters with AND", async () => {
      const filter = { isHot: false, onSale: true, priceMax: 500 };
      expect(await listIds(filter)).toEqual(expectedIds((r) => !r.isHot && r.onSale && Number(r.shopPrice) <= 500));
    });
  });

  describe("goods and _entities", () => {
    it("finds goods by id and returns null for an unknown one", async () => {
      const data = await goods.ok(
        `{ goods(id: "3") { id goodsSn name category { id } brand { id } } missing: goods(id: "9999") { id } }`,
      );
      const row = rows.find((r) => r.id === 3);
      expect(data.goods).toEqual({
        id: "3",
        goodsSn: row?.goodsSn,
        name: row?.name,
        category: { id: String(row?.categoryId) },
        brand: { id: String(row?.brandId) },
      });
      expect(data.missing).toBeNull();
    });

    it("resolves Goods representations, with null for unknown ids", async () => {
      const data = await goods.ok(
        `query($representations: [_Any!]!) {
           _entities(representations: $representations) { ... on Goods { id name shopPrice } }
         }`,
        {
          representations: [
            { __typename: "Goods", id: "12" },
            { __typename: "Goods", id: "99999" },
            { __typename: "Goods", id: "1" },
            { __typename: "Goods", id: "not-an-id" },
          ],
        },
      );
      const byId = (id: number) => rows.find((r) => r.id === id) as Row;
      expect(data._entities).toEqual([
        { id: "12", name: byId(12).name, shopPrice: Number(byId(12).shopPrice) },
        null,
        { id: "1", name: byId(1).name, shopPrice: Number(byId(1).shopPrice) },
        null,
      ]);
    });
  });

  describe("categories", () => {
    it("returns the level-1 categories with their subtree, parents and brands", async () => {
      const data = await goods.ok(`{
        categories { id name level isTab parent { id } brands { id }
          children { id level parent { id } children { id level parent { id } children { id } } } }
      }`);
      const tops = categories.filter((c) => c.level === 1).sort((a, b) => a.id - b.id);
      expect(data.categories.map((c: { name: string }) => c.name)).toEqual(tops.map((c) => c.name));
      expect(data.categories.map((c: { isTab: boolean }) => c.isTab)).toEqual(tops.map((c) => c.isTab));
      for (const top of data.categories) {
        expect(top).toMatchObject({ level: 1, parent: null });
        expect(top.children).toHaveLength(categories.filter((c) => c.parentId === Number(top.id)).length);
        for (const child of top.children) {
          expect(child).toMatchObject({ level: 2, parent: { id: top.id } });
          expect(child.children.length).toBeGreaterThan(0);
          for (const leaf of child.children)
            expect(leaf).toMatchObject({ level: 3, parent: { id: child.id }, children: [] });
        }
        const pairs = await goods.db.prisma.categoryBrand.findMany({ where: { categoryId: Number(top.id) } });
        expect(top.brands.map((b: { id: string }) => Number(b.id))).toEqual(
          pairs.map((p) => p.brandId).sort((a, b) => a - b),
        );
      }
    });

    it("loads the whole tree with a fixed number of queries (no N+1)", async () => {
      sqlCount = 0;
      const data = await goods.ok(`{
        categories { brands { name } children { brands { name } parent { name }
          children { name parent { name } brands { name } } } }
      }`);
      const leaves = data.categories.flatMap((c: { children: { children: unknown[] }[] }) =>
        c.children.flatMap((child) => child.children),
      );
      expect(leaves).toHaveLength(categories.filter((c) => c.level === 3).length);
      // One query (or two for an include) per level and field, not one per category: 168 categories here.
      expect(sqlCount).toBeLessThanOrEqual(12);
    });

    it("finds one category by id, with null for an unknown id and BAD_USER_INPUT for a malformed one", async () => {
      const leaf = categories.find((c) => c.level === 3) as Category;
      const data = await goods.ok(
        `query($id: ID!) { category(id: $id) { id name level parent { id parent { id parent { id } } } } missing: category(id: "9999") { id } }`,
        { id: String(leaf.id) },
      );
      const parent = categories.find((c) => c.id === leaf.parentId);
      expect(data.category).toEqual({
        id: String(leaf.id),
        name: leaf.name,
        level: 3,
        parent: { id: String(parent?.id), parent: { id: String(parent?.parentId), parent: null } },
      });
      expect(data.missing).toBeNull();
      expect(failure(await goods.run(`{ category(id: "x1") { id } }`))).toMatchObject({
        code: "BAD_USER_INPUT",
        field: "id",
      });
    });
  });

  describe("brands, banners and category-brand pairs", () => {
    it("pages brands in id order", async () => {
      const data = await goods.ok("{ brands(page: 3, pageSize: 15) { total page pageSize items { id name logo } } }");
      const brands = await goods.db.prisma.brand.findMany({ orderBy: { id: "asc" } });
      expect(data.brands).toMatchObject({ total: brands.length, page: 3, pageSize: 15 });
      expect(data.brands.items).toEqual(
        brands.slice(30, 45).map((b) => ({ id: String(b.id), name: b.name, logo: b.logo })),
      );
      const first = await goods.ok("{ brands { page pageSize items { id } } }");
      expect(first.brands).toMatchObject({ page: 1, pageSize: 10 });
      expect(first.brands.items.map((b: { id: string }) => b.id)).toEqual(brands.slice(0, 10).map((b) => String(b.id)));
    });

    it("refuses brand and category-brand page sizes over 100 and page 0", async () => {
      for (const field of ["brands", "categoryBrands"]) {
        expect(failure(await goods.run(`{ ${field}(pageSize: 101) { total } }`))).toMatchObject({
          code: "BAD_USER_INPUT",
          field: "pageSize",
        });
        expect(failure(await goods.run(`{ ${field}(page: 0) { total } }`))).toMatchObject({
          code: "BAD_USER_INPUT",
          field: "page",
        });
      }
    });

    it("lists banners by index", async () => {
      await goods.db.prisma.banner.create({
        data: { image: "https://img.test/b0.jpg", url: "https://shop.test/0", index: 0 },
      });
      const data = await goods.ok("{ banners { image index } }");
      expect(data.banners.map((b: { index: number }) => b.index)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(data.banners[0].image).toBe("https://img.test/b0.jpg");
    });

    it("pages category-brand pairs with their category and brand", async () => {
      const pairs = await goods.db.prisma.categoryBrand.findMany({
        orderBy: { id: "asc" },
        include: { category: true, brand: true },
      });
      const data = await goods.ok(
        "{ categoryBrands(page: 2, pageSize: 25) { total page pageSize items { id category { id name } brand { id name } } } }",
      );
      expect(data.categoryBrands).toMatchObject({ total: pairs.length, page: 2, pageSize: 25 });
      expect(data.categoryBrands.items).toEqual(
        pairs.slice(25, 50).map((p) => ({
          id: String(p.id),
          category: { id: String(p.categoryId), name: p.category.name },
          brand: { id: String(p.brandId), name: p.brand.name },
        })),
      );
    });
  });
});

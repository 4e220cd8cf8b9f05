import { DEFERRED_JOIN_FROM_OFFSET } from "@emshop/goods/newest-first";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, type GoodsSubgraph, startGoodsSubgraph } from "../support/goods-subgraph";

const GOODS = 1_130;
const PAGE_SIZE = 100;

const PAGE = `query($filter: GoodsFilter, $page: Int, $pageSize: Int) {
  goodsList(filter: $filter, page: $page, pageSize: $pageSize) { items { id name shopPrice } hasNextPage }
}`;
const CAPPED = `query($filter: GoodsFilter, $limit: Int) {
  goodsList(filter: $filter, pageSize: 1) { total totalUpTo(limit: $limit) { count exact } }
}`;

/** What catalog scale asks of goodsList: counts that stop at a limit, and offset pages deep in the catalog. */
describe("goodsList at catalog scale: totalUpTo, and deep offset pages read through the ids", () => {
  let goods: GoodsSubgraph;
  const statements: string[] = [];
  beforeAll(async () => {
    goods = await startGoodsSubgraph("deep_pages", { goodsCount: GOODS, onQuery: (sql) => statements.push(sql) });
  }, 60_000);
  afterAll(() => goods?.close());

  it.each([
    ["a limit below the count", undefined, 10, { count: 10, exact: false }],
    ["a limit equal to the count", undefined, GOODS, { count: GOODS, exact: true }],
    ["the default limit (1000) below the count", undefined, null, { count: 1000, exact: false }],
    ["the largest limit", undefined, 10_000, { count: GOODS, exact: true }],
  ])("totalUpTo with %s", async (_name, filter, limit, expected) => {
    const page = (await goods.ok(CAPPED, { filter, limit })).goodsList;
    expect(page.total).toBe(GOODS);
    expect(page.totalUpTo).toEqual(expected);
  });

  it("totalUpTo of a filter agrees with its exact total", async () => {
    const { goodsList } = await goods.ok(CAPPED, { filter: { brand: "3" }, limit: 5000 });
    expect(goodsList.total).toBeGreaterThan(0);
    expect(goodsList.totalUpTo).toEqual({ count: goodsList.total, exact: true });
    const capped = (await goods.ok(CAPPED, { filter: { brand: "3" }, limit: goodsList.total - 1 })).goodsList;
    expect(capped.totalUpTo).toEqual({ count: goodsList.total - 1, exact: false });
  });

  it("totalUpTo is one unordered count that stops after limit + 1 rows (so the filter's own index can answer)", async () => {
    // onQuery sees every statement (Prisma's and raw); the values are recorded at the service's SQL client.
    const sql = goods.db.sql;
    const original = sql.query.bind(sql);
    const raw: { text: string; values: unknown[] }[] = [];
    sql.query = ((text: string, values: unknown[] = []) => {
      raw.push({ text, values });
      return original(text, values);
    }) as typeof sql.query;
    statements.length = 0;
    try {
      await goods.ok('{ goodsList(pageSize: 1, filter: { brand: "2" }) { totalUpTo(limit: 50) { count } } }');
    } finally {
      sql.query = original;
    }
    const counts = raw.filter((statement) => /count\(\*\)/i.test(statement.text));
    expect(counts).toHaveLength(1);
    // No other count was sent, by Prisma or otherwise.
    expect(statements.filter((text) => /count\(/i.test(text))).toEqual([counts[0]?.text]);
    expect(counts[0]?.text).toMatch(/brand_id = \$1 LIMIT \$2\) AS capped$/);
    expect(counts[0]?.text).not.toMatch(/ORDER BY/);
    expect(counts[0]?.values).toEqual([2, 51]);
  });

  it.each([
    ["price", { priceMin: 100, priceMax: 400 }],
    ["isHot", { isHot: true }],
    ["isNew false", { isNew: false }],
    ["onSale", { onSale: true }],
    ["isTab false (the seed has no tab categories)", { isTab: false }],
    ["brand", { brand: "2" }],
    ["topCategory", { topCategory: "1" }],
    ["keywords", { keywords: "a" }],
    ["a keyword with LIKE wildcards", { keywords: "%_" }],
    ["everything at once", { priceMax: 900, onSale: true, topCategory: "1", keywords: "e" }],
  ])("totalUpTo (raw SQL) counts what total (Prisma) counts: %s", async (_name, filter) => {
    const { goodsList } = await goods.ok(CAPPED, { filter, limit: 10_000 });
    // Only the literal "%_" matches nothing; every other filter matches some of the seed's goods.
    if (!("keywords" in filter && filter.keywords === "%_")) expect(goodsList.total).toBeGreaterThan(0);
    expect(goodsList.totalUpTo).toEqual({ count: goodsList.total, exact: true });
  });

  it.each([0, -1, 10_001])("refuses totalUpTo(limit: %s) with BAD_USER_INPUT on limit", async (limit) => {
    expect(failure(await goods.run(CAPPED, { limit }))).toMatchObject({ code: "BAD_USER_INPUT", field: "limit" });
  });

  it("a page from the deferred-join offset on holds the same goods, in the same order, as walking the pages before", async () => {
    expect(GOODS).toBeGreaterThan(DEFERRED_JOIN_FROM_OFFSET + PAGE_SIZE);
    // Page numbers whose offset is below the threshold, read in one statement each: the reference order.
    const reference: { id: string }[] = [];
    for (let page = 1; page <= Math.ceil(GOODS / PAGE_SIZE); page++) {
      reference.push(...(await goods.ok(PAGE, { page, pageSize: PAGE_SIZE, filter: undefined })).goodsList.items);
    }
    expect(reference).toHaveLength(GOODS);
    const deepPage = DEFERRED_JOIN_FROM_OFFSET / PAGE_SIZE + 1;
    statements.length = 0;
    const deep = (await goods.ok(PAGE, { page: deepPage, pageSize: PAGE_SIZE })).goodsList;
    expect(deep.items).toEqual(reference.slice(DEFERRED_JOIN_FROM_OFFSET, DEFERRED_JOIN_FROM_OFFSET + PAGE_SIZE));
    expect(deep.hasNextPage).toBe(true);
    // Two statements: the ids alone with the offset, then the rows by id.
    expect(statements).toHaveLength(2);
    expect(statements[0]).toMatch(/SELECT "public"\."goods"\."id" FROM/);
    expect(statements[0]).toMatch(/OFFSET/);
    expect(statements[1]).toMatch(/"id" IN/);
  });

  it("a deep filtered page, the last page and a page past the end", async () => {
    const onSale = { onSale: true };
    const all: { id: string }[] = [];
    for (let page = 1; ; page++) {
      const { goodsList } = await goods.ok(PAGE, { filter: onSale, page, pageSize: PAGE_SIZE });
      all.push(...goodsList.items);
      if (!goodsList.hasNextPage) break;
    }
    expect(all.length).toBeGreaterThan(DEFERRED_JOIN_FROM_OFFSET);
    const deep = (await goods.ok(PAGE, { filter: onSale, page: DEFERRED_JOIN_FROM_OFFSET + 1, pageSize: 1 })).goodsList;
    expect(deep.items).toEqual([all[DEFERRED_JOIN_FROM_OFFSET]]);

    const last = (await goods.ok(PAGE, { page: GOODS, pageSize: 1 })).goodsList;
    expect(last.items).toHaveLength(1);
    expect(last.hasNextPage).toBe(false);
    const past = (await goods.ok(PAGE, { page: GOODS + 1, pageSize: 1 })).goodsList;
    expect(past).toEqual({ items: [], hasNextPage: false });
  });
});

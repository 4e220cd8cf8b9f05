import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, type GoodsSubgraph, startGoodsSubgraph } from "../support/goods-subgraph";

const BY_CURSOR = `query($filter: GoodsFilter, $after: String, $pageSize: Int) {
  goodsList(filter: $filter, after: $after, pageSize: $pageSize) { items { id } endCursor hasNextPage }
}`;

/** The cursor a page ending at goods `id` has as its endCursor (the format is the subgraph's, tested here). */
const cursorOf = (id: string) => Buffer.from(`goods:${id}`).toString("base64url");

interface Page {
  items: { id: string }[];
  endCursor: string | null;
  hasNextPage: boolean;
}

describe("goodsList with `after` (keyset paging) and a total counted only when asked for", () => {
  let goods: GoodsSubgraph;
  const statements: string[] = [];
  beforeAll(async () => {
    goods = await startGoodsSubgraph("keyset_paging", { goodsCount: 95, onQuery: (sql) => statements.push(sql) });
  });
  afterAll(() => goods?.close());

  async function walk(filter: Record<string, unknown> | undefined, pageSize: number) {
    const ids: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const page: Page = (await goods.ok(BY_CURSOR, { filter, after, pageSize })).goodsList;
      ids.push(...page.items.map((item) => item.id));
      if (!page.hasNextPage) {
        expect(page.items.length).toBeLessThanOrEqual(pageSize);
        return ids;
      }
      expect(page.items).toHaveLength(pageSize);
      after = page.endCursor;
    }
    throw new Error("more than 100 pages");
  }

  async function allByPages(filter: Record<string, unknown> | undefined) {
    const ids: string[] = [];
    for (let page = 1; ; page++) {
      const data = await goods.ok(
        "query($filter: GoodsFilter, $page: Int) { goodsList(filter: $filter, page: $page, pageSize: 100) { items { id } total hasNextPage } }",
        { filter, page },
      );
      ids.push(...data.goodsList.items.map((item: { id: string }) => item.id));
      if (!data.goodsList.hasNextPage) return { ids, total: data.goodsList.total as number };
    }
  }

  it.each([
    ["no filter", undefined],
    ["a brand", { brand: "2" }],
    ["hot goods", { isHot: true }],
  ])("visits every goods exactly once, newest first, like page numbers do (%s)", async (_name, filter) => {
    const byPages = await allByPages(filter);
    expect(byPages.ids.length).toBe(byPages.total);
    for (const pageSize of [7, 10, 100]) expect(await walk(filter, pageSize)).toEqual(byPages.ids);
  });

  it("the last page says there is no next one; an empty page has no cursor", async () => {
    const all = await allByPages(undefined);
    const lastId = all.ids.at(-1) as string;
    const page: Page = (await goods.ok(BY_CURSOR, { pageSize: 5 })).goodsList;
    expect(page.hasNextPage).toBe(true);
    // A cursor past the oldest goods: nothing follows.
    const pastOldest = (await goods.ok(BY_CURSOR, { pageSize: 1, after: cursorOf(lastId) })).goodsList;
    expect(pastOldest).toEqual({ items: [], endCursor: null, hasNextPage: false });
  });

  it("without `total` a page is one statement; with it, two", async () => {
    statements.length = 0;
    await goods.ok("{ goodsList(pageSize: 5) { items { id } hasNextPage } }");
    expect(statements).toHaveLength(1);
    statements.length = 0;
    await goods.ok("{ goodsList(pageSize: 5) { items { id } ...Counted } } fragment Counted on GoodsPage { total }");
    expect(statements).toHaveLength(2);
  });

  it.each([
    ["not base64 of ours", "bm9wZQ"],
    ["a made-up id", Buffer.from("goods:-1").toString("base64url")],
    ["garbage", "!!!"],
    ["too long", "x".repeat(1000)],
  ])("refuses a cursor that is not one of ours (%s): BAD_USER_INPUT on after", async (_name, after) => {
    expect(failure(await goods.run(BY_CURSOR, { after }))).toMatchObject({ code: "BAD_USER_INPUT", field: "after" });
  });

  it("refuses page and after together", async () => {
    const first: Page = (await goods.ok(BY_CURSOR, { pageSize: 3 })).goodsList;
    const result = await goods.run("query($after: String) { goodsList(page: 2, after: $after) { items { id } } }", {
      after: first.endCursor,
    });
    expect(failure(result)).toMatchObject({ code: "BAD_USER_INPUT", field: "page" });
  });
});

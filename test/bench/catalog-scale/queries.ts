import type { LoadedCatalog } from "./generate";
import { KEYWORDS } from "./vocabulary";

/** A GoodsFilter as the GraphQL API takes it. */
export type Filter = Record<string, string | number | boolean>;

/** One benchmarked request: a goodsList page (with and without `total`) or goods(id). */
export type BenchQuery =
  | { key: string; label: string; kind: "list"; filter?: Filter; page?: number; after?: string }
  | { key: string; label: string; kind: "detail" };

/** What storefronts ask for; 20 goods a page. */
export const PAGE_SIZE = 20;

/** Page 10,000 (offset 199,980), the deep page; a smaller catalog goes a fifth of the way in. */
export const deepPageOf = (goodsCount: number) => Math.max(2, Math.min(10_000, Math.floor(goodsCount / PAGE_SIZE / 5)));

const ITEM_FIELDS = "id name shopPrice frontImage isHot isNew";

/**
 * How a list request counts: the exact `total`, the capped `totalUpTo` (what a
 * storefront shows as "1,000+"), or not at all (the resolvers count only what
 * is selected).
 */
export type Counting = "total" | "totalUpTo" | "none";

/** The cap of `totalUpTo` in the bench: the schema's default. */
export const COUNT_LIMIT = 1000;

const COUNT_FIELDS: Record<Counting, string> = {
  total: "total ",
  totalUpTo: `totalUpTo(limit: ${COUNT_LIMIT}) { count exact } `,
  none: "",
};

/** The goodsList document, with `after` only when a cursor is given (so the bench runs on a schema without keyset paging too). */
export const listDocument = (counting: Counting, withAfter: boolean) => `
  query CatalogScaleList($filter: GoodsFilter, $page: Int, $pageSize: Int${withAfter ? ", $after: String" : ""}) {
    goodsList(filter: $filter, page: $page, pageSize: $pageSize${withAfter ? ", after: $after" : ""}) {
      ${COUNT_FIELDS[counting]}items { ${ITEM_FIELDS} }
    }
  }`;

export const DETAIL_DOCUMENT = `
  query CatalogScaleDetail($id: ID!) { goods(id: $id) { ${ITEM_FIELDS} brief description marketPrice } }`;

/**
 * The list: first page, page 10,000, every GoodsFilter field, keyword
 * search in Latin and Chinese, category subtree + price range, and goods(id).
 * Ids are taken from the generated catalog so every filter matches goods.
 */
export function benchQueries(catalog: LoadedCatalog): BenchQuery[] {
  const top = catalog.categories.find((c) => c.level === 1);
  const second = catalog.categories.find((c) => c.level === 2);
  if (!top || !second) throw new Error("the catalog has no 3-level category tree");
  const price = { priceMin: 100, priceMax: 200 };
  const deepPage = deepPageOf(catalog.goodsCount);
  return [
    { key: "first-page", label: "first page, unfiltered", kind: "list" },
    { key: "deep-page", label: `page ${deepPage.toLocaleString("en")} (offset)`, kind: "list", page: deepPage },
    { key: "price", label: "priceMin 100, priceMax 200", kind: "list", filter: price },
    { key: "is-hot", label: "isHot", kind: "list", filter: { isHot: true } },
    { key: "is-new", label: "isNew", kind: "list", filter: { isNew: true } },
    { key: "on-sale", label: "onSale", kind: "list", filter: { onSale: true } },
    { key: "is-tab", label: "isTab", kind: "list", filter: { isTab: true } },
    { key: "brand", label: "brand", kind: "list", filter: { brand: "7" } },
    { key: "top-category", label: "topCategory (level 1)", kind: "list", filter: { topCategory: String(top.id) } },
    { key: "keyword-latin", label: `keywords "${KEYWORDS.latin}"`, kind: "list", filter: { keywords: KEYWORDS.latin } },
    {
      key: "keyword-chinese",
      label: `keywords "${KEYWORDS.chinese}"`,
      kind: "list",
      filter: { keywords: KEYWORDS.chinese },
    },
    {
      key: "keyword-phrase",
      label: `keywords "${KEYWORDS.phrase}" (rare)`,
      kind: "list",
      filter: { keywords: KEYWORDS.phrase },
    },
    {
      key: "category-price",
      label: "topCategory (level 2) + price 100–200",
      kind: "list",
      filter: { topCategory: String(second.id), ...price },
    },
    { key: "detail", label: "goods(id)", kind: "detail" },
  ];
}

/** The deep page again, asked for with the keyset cursor (the previous page's endCursor) instead of an offset. */
export const deepPageByCursor = (page: number, cursor: string): BenchQuery => ({
  key: "deep-page-cursor",
  label: `page ${page.toLocaleString("en")} (after cursor)`,
  kind: "list",
  after: cursor,
});

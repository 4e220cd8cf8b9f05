import { writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { postGraphql } from "./http";

/**
 * The catalog mix: 75% `goodsList(page, pageSize: 20, filter)` with a filter
 * from a fixed set, 25% `goods(id)` detail, drawn from a seeded PRNG so every
 * run and every target gets exactly the same request sequence. Pages are drawn
 * only within each filter's real page count: random pages of random filters
 * are mostly empty, and an empty page costs every target almost nothing.
 */

export const PAGE_SIZE = 20;
/** Pages are drawn from 1..min(MAX_PAGE, the filter's last page). */
export const MAX_PAGE = 50;
export const LIST_SHARE = 0.75;
/** Long enough that a 15 s round at ~1,000 req/s barely wraps around. */
export const SEQUENCE_LENGTH = 20_000;

/** The public `GoodsFilter` input (subgraphs/goods/src/schema.graphql). */
export interface GoodsFilterInput {
  priceMin?: number;
  priceMax?: number;
  isHot?: boolean;
  isNew?: boolean;
  topCategory?: string;
  brand?: string;
  keywords?: string;
}

export interface NamedFilter {
  label: string;
  filter: GoodsFilterInput;
  /** Matching goods, as the goods subgraph counts them. */
  total: number;
  lastPage: number;
}

export type CatalogRequest = { kind: "list"; filter: number; page: number } | { kind: "detail"; id: string };

export interface Workload {
  filters: NamedFilter[];
  requests: CatalogRequest[];
  /** One JSON body per line: with `stocks`/`stockStatus` (gateways) and without (goods directly). */
  bodyFiles: { gateway: string; direct: string };
  bodies: { gateway: string[]; direct: string[] };
  goodsCount: number;
}

/** mulberry32: tiny, fast, and the same numbers on every machine and Node version. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STOCK_FIELDS = "stocks stockStatus";
const listDocument = (stock: boolean) =>
  `query CatalogPage($filter: GoodsFilter, $page: Int!, $pageSize: Int!) { goodsList(filter: $filter, page: $page, pageSize: $pageSize) { total page pageSize items { id name shopPrice marketPrice frontImage isNew isHot shipFree${stock ? ` ${STOCK_FIELDS}` : ""} } } }`;
const detailDocument = (stock: boolean) =>
  `query GoodsDetail($id: ID!) { goods(id: $id) { id name brief description shopPrice marketPrice images descImages onSale shipFree category { id name } brand { id name }${stock ? ` ${STOCK_FIELDS}` : ""} } }`;

/** The HTTP body of one request; `stock: false` is the same question without the inventory fields. */
export function bodyOf(request: CatalogRequest, filters: NamedFilter[], stock: boolean): string {
  if (request.kind === "detail")
    return JSON.stringify({
      operationName: "GoodsDetail",
      query: detailDocument(stock),
      variables: { id: request.id },
    });
  const filter = filters[request.filter]?.filter ?? {};
  return JSON.stringify({
    operationName: "CatalogPage",
    query: listDocument(stock),
    variables: { filter, page: request.page, pageSize: PAGE_SIZE },
  });
}

interface CatalogShape {
  topCategories: number[];
  midCategories: number[];
  brands: number[];
  goods: number[];
}

/** Ids in the goods database, in id order, so the filter set is the same for the same seed catalog. */
async function readCatalog(goodsDatabaseUrl: string): Promise<CatalogShape> {
  const client = new pg.Client({ connectionString: goodsDatabaseUrl });
  await client.connect();
  try {
    const ids = async (sql: string) => (await client.query<{ id: number }>(sql)).rows.map((row) => row.id);
    return {
      topCategories: await ids("SELECT id FROM category WHERE level = 1 ORDER BY id"),
      midCategories: await ids("SELECT id FROM category WHERE level = 2 ORDER BY id"),
      brands: await ids("SELECT id FROM brand ORDER BY id"),
      goods: await ids("SELECT id FROM goods ORDER BY id"),
    };
  } finally {
    await client.end();
  }
}

/** `count` values spread evenly over `values` (which is in id order), rather than the first few. */
const spread = <T>(values: T[], count: number) =>
  Array.from(
    { length: Math.min(count, values.length) },
    (_, i) => values[Math.floor((i * values.length) / count)],
  ).filter((value): value is T => value !== undefined);

/** The fixed filter set: each kind the storefront uses, a few combinations, and no filter at all. */
function filterSet(catalog: CatalogShape): { label: string; filter: GoodsFilterInput }[] {
  const top = catalog.topCategories;
  return [
    { label: "no filter", filter: {} },
    ...top.map((id) => ({ label: `category ${id} (level 1)`, filter: { topCategory: String(id) } })),
    ...spread(catalog.midCategories, 4).map((id) => ({
      label: `category ${id} (level 2)`,
      filter: { topCategory: String(id) },
    })),
    ...spread(catalog.brands, 6).map((id) => ({ label: `brand ${id}`, filter: { brand: String(id) } })),
    { label: "price 0..50", filter: { priceMin: 0, priceMax: 50 } },
    { label: "price 50..200", filter: { priceMin: 50, priceMax: 200 } },
    { label: "price 200..500", filter: { priceMin: 200, priceMax: 500 } },
    { label: "price >= 500", filter: { priceMin: 500 } },
    { label: "isHot", filter: { isHot: true } },
    { label: "isNew", filter: { isNew: true } },
    { label: "isHot + isNew", filter: { isHot: true, isNew: true } },
    // Words from the middle of faker product names/briefs: substring matches, not prefixes.
    ...["steel", "chair", "granite", "soft", "ergonomic", "bike"].map((keywords) => ({
      label: `keywords "${keywords}"`,
      filter: { keywords },
    })),
    ...(top[1] === undefined
      ? []
      : [
          {
            label: `category ${top[1]} + price 100..600`,
            filter: { topCategory: String(top[1]), priceMin: 100, priceMax: 600 },
          },
        ]),
    { label: 'keywords "steel" + price <= 500', filter: { keywords: "steel", priceMax: 500 } },
  ];
}

/** Each filter's total, asked of the goods subgraph itself so the filter semantics are the service's own. */
async function withTotals(goodsUrl: string, filters: { label: string; filter: GoodsFilterInput }[]) {
  const query = "query Total($filter: GoodsFilter) { goodsList(filter: $filter, pageSize: 1) { total } }";
  return Promise.all(
    filters.map(async ({ label, filter }): Promise<NamedFilter> => {
      const answer = await postGraphql<{ goodsList: { total: number } }>(goodsUrl, { query, variables: { filter } });
      const total = answer.data?.goodsList.total;
      if (total === undefined) throw new Error(`filter ${label}: no total from goods: ${JSON.stringify(answer)}`);
      // A filter matching nothing would make every one of its requests an empty page: the catalog is not the demo one.
      if (total === 0) throw new Error(`filter ${label} matches no goods: is this the "bench" demo catalog?`);
      return { label, filter, total, lastPage: Math.ceil(total / PAGE_SIZE) };
    }),
  );
}

function sequence(seed: number, filters: NamedFilter[], goods: number[]): CatalogRequest[] {
  const random = prng(seed);
  const pick = (n: number) => Math.min(n - 1, Math.floor(random() * n));
  return Array.from({ length: SEQUENCE_LENGTH }, (): CatalogRequest => {
    if (random() < LIST_SHARE) {
      const filter = pick(filters.length);
      const pages = Math.min(MAX_PAGE, filters[filter]?.lastPage ?? 1);
      return { kind: "list", filter, page: 1 + pick(pages) };
    }
    return { kind: "detail", id: String(goods[pick(goods.length)]) };
  });
}

/** Builds the filter set and the request sequence and writes both body files into `dir`. */
export async function buildWorkload(options: {
  seed: number;
  goodsDatabaseUrl: string;
  goodsUrl: string;
  dir: string;
}): Promise<Workload> {
  const catalog = await readCatalog(options.goodsDatabaseUrl);
  if (catalog.goods.length === 0) throw new Error("the goods database has no goods");
  const filters = await withTotals(options.goodsUrl, filterSet(catalog));
  const requests = sequence(options.seed, filters, catalog.goods);
  const bodies = {
    gateway: requests.map((request) => bodyOf(request, filters, true)),
    direct: requests.map((request) => bodyOf(request, filters, false)),
  };
  const bodyFiles = { gateway: join(options.dir, "gateway.jsonl"), direct: join(options.dir, "direct.jsonl") };
  writeFileSync(bodyFiles.gateway, `${bodies.gateway.join("\n")}\n`);
  writeFileSync(bodyFiles.direct, `${bodies.direct.join("\n")}\n`);
  return { filters, requests, bodyFiles, bodies, goodsCount: catalog.goods.length };
}

/**
 * Share of the sequence's list requests whose page has items, checked on the
 * goods subgraph for every distinct (filter, page) pair: pages are drawn
 * within each filter's total, so anything below 100% means totals and pages
 * disagree (or the catalog changed between counting and loading).
 */
export async function nonEmptyListShare(workload: Workload, goodsUrl: string): Promise<number> {
  const lists = workload.requests.filter((request) => request.kind === "list");
  const distinct = [...new Map(lists.map((request) => [`${request.filter}:${request.page}`, request])).values()];
  const query =
    "query Page($filter: GoodsFilter, $page: Int!) { goodsList(filter: $filter, page: $page, pageSize: 20) { items { id } } }";
  const empty = new Set<string>();
  const queue = [...distinct];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let request = queue.pop(); request; request = queue.pop()) {
        const answer = await postGraphql<{ goodsList: { items: unknown[] } }>(goodsUrl, {
          query,
          variables: { filter: workload.filters[request.filter]?.filter ?? {}, page: request.page },
        });
        if (!answer.data) throw new Error(`checking pages: ${JSON.stringify(answer.errors)}`);
        if (answer.data.goodsList.items.length === 0) empty.add(`${request.filter}:${request.page}`);
      }
    }),
  );
  const emptyRequests = lists.filter((request) => empty.has(`${request.filter}:${request.page}`)).length;
  return lists.length === 0 ? 1 : 1 - emptyRequests / lists.length;
}

/**
 * What deduplicating identical in-flight subgraph reads could save at most:
 * the share of requests whose body equals one of the `window - 1` requests sent
 * just before it (with `window` connections in a closed loop, about the
 * requests in flight at the same time). Each such request could share its
 * goods fetch, and its inventory fetch, with the earlier one.
 */
export function inFlightDuplicateShare(bodies: string[], window: number): number {
  const recent = new Map<string, number>();
  let duplicates = 0;
  bodies.forEach((body, index) => {
    const last = recent.get(body);
    if (last !== undefined && index - last < window) duplicates++;
    recent.set(body, index);
  });
  return bodies.length ? duplicates / bodies.length : 0;
}

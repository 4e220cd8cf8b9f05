import type pg from "pg";
import { captureStatements } from "./capture";
import { type ExplainedStatement, explainStatements } from "./explain";
import { type Latency, postGraphql, timeSequential } from "./measure";
import { type BenchQuery, type Counting, DETAIL_DOCUMENT, deepPageByCursor, listDocument, PAGE_SIZE } from "./queries";
import type { ScaleSettings } from "./settings";
import { pad } from "./text";

/**
 * One way of asking a query: a list page with the capped count a storefront
 * shows (`totalUpTo`), with the exact `total`, with no count, or goods(id).
 * These go to a service that counts in SQL every time; "totalUpTo remembered"
 * is the `totalUpTo` page again, sent to a service with the goods subgraph's
 * default count cache (subgraphs/goods/src/count-memo.ts), so after its first
 * request its count is answered from memory.
 */
export interface VariantResult {
  variant: "with totalUpTo" | "totalUpTo remembered" | "with total" | "page only" | "detail";
  latency: Latency;
  /** The answer's shape, compared across phases: an index must never change what a query returns. */
  answer: { total?: number; totalUpTo?: { count: number; exact: boolean }; ids: string[] };
  statements: ExplainedStatement[];
}

export interface QueryResult {
  key: string;
  label: string;
  variants: VariantResult[];
}

interface ListData {
  goodsList: {
    total?: number;
    totalUpTo?: { count: number; exact: boolean };
    items: { id: string }[];
    endCursor?: string | null;
  };
}
interface DetailData {
  goods: { id: string } | null;
}

/** goods(id) requests spread over the catalog, so they are not one cached row. */
const detailId = (i: number, goodsCount: number) => String(1 + ((i * 7919) % goodsCount));

/**
 * The cursor that `goodsList(after:)` takes for page `page`: the endCursor of
 * the page before it. Null when the schema has no keyset paging (yet).
 */
async function deepPageCursor(url: string, page: number): Promise<string | null> {
  try {
    const data = await postGraphql<ListData>(
      url,
      "query Cursor($page: Int, $pageSize: Int) { goodsList(page: $page, pageSize: $pageSize) { endCursor } }",
      { page: page - 1, pageSize: PAGE_SIZE },
    );
    return data.goodsList.endCursor ?? null;
  } catch (error) {
    if (/endCursor|Cannot query field/.test((error as Error).message)) return null;
    throw error;
  }
}

/** Measures every query on the running service; prints a line per variant as it goes. */
export async function runPhase(options: {
  url: string;
  /** The same service with its counts remembered. */
  rememberingUrl: string;
  explainClient: pg.Client;
  queries: BenchQuery[];
  settings: ScaleSettings;
  log: (line: string) => void;
}): Promise<QueryResult[]> {
  const { url, rememberingUrl, explainClient, settings, log } = options;
  const queries = [...options.queries];
  const deep = queries.findIndex((query) => query.key === "deep-page");
  const deepPage = queries[deep]?.kind === "list" ? queries[deep].page : undefined;
  const cursor = deepPage ? await deepPageCursor(url, deepPage) : null;
  if (deepPage && cursor) queries.splice(deep + 1, 0, deepPageByCursor(deepPage, cursor));
  else log("  (goodsList has no after/endCursor: keyset paging not measured)");

  const results: QueryResult[] = [];
  for (const query of queries) {
    const variants: VariantResult[] = [];
    const shapes: [VariantResult["variant"], (i: number) => Promise<VariantResult["answer"]>][] =
      query.kind === "detail"
        ? [["detail", (i) => detail(url, detailId(i, settings.goods))]]
        : [
            ["with totalUpTo", () => list(url, query, "totalUpTo")],
            ["totalUpTo remembered", () => list(rememberingUrl, query, "totalUpTo")],
            ["with total", () => list(url, query, "total")],
            ["page only", () => list(url, query, "none")],
          ];
    for (const [variant, send] of shapes) {
      let answer: VariantResult["answer"] = { ids: [] };
      const captured = await captureStatements(async () => {
        answer = await send(0);
      });
      const statements = await explainStatements(explainClient, captured);
      const latency = await timeSequential(send, settings);
      variants.push({ variant, latency, answer, statements });
      log(
        `  ${pad(`${query.label} [${variant}]`, 52)} p50 ${latency.p50.toFixed(1).padStart(7)} ms` +
          `  p99 ${latency.p99.toFixed(1).padStart(7)} ms  (${latency.requests} requests)`,
      );
    }
    results.push({ key: query.key, label: query.label, variants });
  }
  return results;
}

async function list(url: string, query: BenchQuery & { kind: "list" }, counting: Counting) {
  const data = await postGraphql<ListData>(url, listDocument(counting, query.after !== undefined), {
    filter: query.filter ?? null,
    page: query.page ?? 1,
    pageSize: PAGE_SIZE,
    ...(query.after === undefined ? {} : { after: query.after }),
  });
  const ids = data.goodsList.items.map((item) => item.id);
  if (ids.length === 0) throw new Error(`${query.label}: an empty page measures nothing; the catalog is too small`);
  const { total, totalUpTo } = data.goodsList;
  return { ...(total === undefined ? {} : { total }), ...(totalUpTo === undefined ? {} : { totalUpTo }), ids };
}

async function detail(url: string, id: string) {
  const data = await postGraphql<DetailData>(url, DETAIL_DOCUMENT, { id });
  if (!data.goods) throw new Error(`goods(id: ${id}) found nothing`);
  return { ids: [data.goods.id] };
}

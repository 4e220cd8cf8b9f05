import { badUserInput } from "@emshop/common/errors";

export const MAX_PAGE_SIZE = 100;

/** The largest `totalUpTo(limit)`: its count reads at most this many index entries. */
export const MAX_COUNT_LIMIT = 10_000;

/** Validates a capped count's limit. */
export function countLimit(limit: number | null | undefined): number {
  const value = limit ?? 1000;
  if (!Number.isInteger(value) || value < 1 || value > MAX_COUNT_LIMIT) {
    throw badUserInput("limit", `must be between 1 and ${MAX_COUNT_LIMIT}, got ${value}`, { max: MAX_COUNT_LIMIT });
  }
  return value;
}

/** Validates page/pageSize (1-based) and turns them into skip/take. */
export function paging(page: number | null | undefined, pageSize: number | null | undefined) {
  const p = page ?? 1;
  const size = pageSize ?? 10;
  if (!Number.isInteger(p) || p < 1) throw badUserInput("page", `must be 1 or more, got ${p}`);
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw badUserInput("pageSize", `must be between 1 and ${MAX_PAGE_SIZE}, got ${size}`, { max: MAX_PAGE_SIZE });
  }
  return { page: p, pageSize: size, skip: (p - 1) * size, take: size };
}

/** One page of a list: the rows of the page and the total, fetched together. */
export async function pageOf<Row>(
  pageArgs: ReturnType<typeof paging>,
  load: (window: { skip: number; take: number }) => Promise<Row[]>,
  count: () => Promise<number>,
) {
  const [items, total] = await Promise.all([load(pageArgs), count()]);
  return { items, total, page: pageArgs.page, pageSize: pageArgs.pageSize };
}

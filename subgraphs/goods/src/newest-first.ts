import type { Goods, Prisma } from "@emshop/db/goods";
import type { GoodsReads } from "./read-replicas";

/**
 * From this offset on, a page is read in two steps. PostgreSQL answers
 * `ORDER BY id DESC OFFSET n` by reading and discarding n rows; with whole rows
 * that is a heap visit per skipped goods (150+ ms for page 10,000 of a million
 * goods). Asking for the ids alone lets it skip inside an index that holds them
 * (goods_pkey, or the filter's `(<column>, id)` index) without touching the
 * table (an index-only scan); the page's 20 rows are then read by id. Below
 * this offset the skipped rows are few and one statement beats two round trips.
 * Measured by `npm run bench:catalog-scale` (README, Performance).
 */
export const DEFERRED_JOIN_FROM_OFFSET = 1000;

/** goods matching `where`, newest first, `skip` then `take`: the page of goodsList. */
export async function newestFirst(
  db: GoodsReads,
  page: { where: Prisma.GoodsWhereInput; skip: number; take: number },
): Promise<Goods[]> {
  const orderBy = { id: "desc" } as const;
  if (page.skip < DEFERRED_JOIN_FROM_OFFSET) return db.prisma.goods.findMany({ ...page, orderBy });
  const ids = await db.prisma.goods.findMany({ ...page, orderBy, select: { id: true } });
  if (ids.length === 0) return [];
  // A goods deleted between the two reads is simply missing from the page, as it would be a moment later.
  return db.prisma.goods.findMany({ where: { id: { in: ids.map((row) => row.id) } }, orderBy });
}

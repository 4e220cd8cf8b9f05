import { badUserInput, parseId } from "@emshop/common/errors";
import type { QueryResolvers } from "../generated/resolvers-types";
import { goodsCriteria, prismaWhere } from "../goods-filter";
import { countGoodsUpTo, goodsCursor, parseGoodsCursor, selects } from "../goods-page";
import { newestFirst } from "../newest-first";
import { pageOf, paging } from "../paging";

// Every catalog query reads `reads`: a read replica when GOODS_DATABASE_REPLICA_URLS is set
// (a moment behind the primary), else the primary. The catalog cache is loaded from the primary.
export const Query: QueryResolvers = {
  goods: (_root, { id }, { reads }) => reads.prisma.goods.findUnique({ where: { id: parseId(id) } }),

  goodsList: async (_root, { filter, page, pageSize, after }, { reads: db, search, catalog }, info) => {
    // Bad paging is rejected before the filter costs a query.
    const pageArgs = paging(page, pageSize);
    const afterId = after == null ? undefined : parseGoodsCursor(after);
    if (afterId !== undefined && pageArgs.page !== 1) throw badUserInput("page", "give either page or after, not both");
    const criteria = await goodsCriteria(db, filter, search, catalog);
    const where = prismaWhere(criteria);
    // The count is the costly half of a broad filter at scale: only when `total` is selected,
    // and then at the same time as the page.
    // Counts of the same filter are remembered until goods or categories change (../count-memo.ts).
    const counts = catalog?.counts();
    const filterKey = JSON.stringify(criteria);
    const remembered = (key: string, count: () => Promise<number>) => (counts ? counts.get(key, count) : count());
    let counted: Promise<number> | undefined;
    const total = () => {
      counted ??= remembered(`${filterKey} total`, () => db.prisma.goods.count({ where }));
      return counted;
    };
    if (selects(info, "total")) void total().catch(() => undefined); // its error reaches `total`
    const countUpTo = (max: number) => remembered(`${filterKey} upTo ${max}`, () => countGoodsUpTo(db, criteria, max));
    // Newest first; one row more than the page tells whether another page follows.
    const rows = await newestFirst(db, {
      where: afterId === undefined ? where : { AND: [where, { id: { lt: afterId } }] },
      skip: afterId === undefined ? pageArgs.skip : 0,
      take: pageArgs.take + 1,
    });
    const items = rows.slice(0, pageArgs.take);
    const last = items.at(-1);
    return {
      items,
      page: pageArgs.page,
      pageSize: pageArgs.pageSize,
      endCursor: last ? goodsCursor(last.id) : null,
      hasNextPage: rows.length > pageArgs.take,
      total,
      countUpTo,
    };
  },

  categories: async (_root, _args, { reads, catalog }) => {
    const snapshot = await catalog?.snapshot();
    if (snapshot) return [...snapshot.categoryById.values()].filter((category) => category.level === 1);
    return reads.prisma.category.findMany({ where: { level: 1 }, orderBy: { id: "asc" } });
  },

  category: (_root, { id }, { loaders }) => loaders.categoryById.load(parseId(id)),

  brands: (_root, { page, pageSize }, { reads }) =>
    pageOf(
      paging(page, pageSize),
      ({ skip, take }) => reads.prisma.brand.findMany({ orderBy: { id: "asc" }, skip, take }),
      () => reads.prisma.brand.count(),
    ),

  // Ties in index keep creation order, so the carousel never reshuffles between requests.
  banners: (_root, _args, { reads }) => reads.prisma.banner.findMany({ orderBy: [{ index: "asc" }, { id: "asc" }] }),

  categoryBrands: (_root, { page, pageSize }, { reads }) =>
    pageOf(
      paging(page, pageSize),
      ({ skip, take }) => reads.prisma.categoryBrand.findMany({ orderBy: { id: "asc" }, skip, take }),
      () => reads.prisma.categoryBrand.count(),
    ),
};

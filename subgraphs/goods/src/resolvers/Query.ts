import { parseId } from "@emshop/common/errors";
import type { QueryResolvers } from "../generated/resolvers-types";
import { goodsWhere } from "../goods-filter";
import { pageOf, paging } from "../paging";

export const Query: QueryResolvers = {
  goods: (_root, { id }, { db }) => db.prisma.goods.findUnique({ where: { id: parseId(id) } }),

  goodsList: async (_root, { filter, page, pageSize }, { db, search, catalog }) => {
    const pageArgs = paging(page, pageSize); // a bad page is rejected before the filter costs a query
    const where = await goodsWhere(db, filter, search, catalog);
    return pageOf(
      pageArgs,
      ({ skip, take }) => db.prisma.goods.findMany({ where, orderBy: { id: "desc" }, skip, take }),
      () => db.prisma.goods.count({ where }),
    );
  },

  categories: async (_root, _args, { db, catalog }) => {
    const snapshot = await catalog?.snapshot();
    if (snapshot) return [...snapshot.categoryById.values()].filter((category) => category.level === 1);
    return db.prisma.category.findMany({ where: { level: 1 }, orderBy: { id: "asc" } });
  },

  category: (_root, { id }, { loaders }) => loaders.categoryById.load(parseId(id)),

  brands: (_root, { page, pageSize }, { db }) =>
    pageOf(
      paging(page, pageSize),
      ({ skip, take }) => db.prisma.brand.findMany({ orderBy: { id: "asc" }, skip, take }),
      () => db.prisma.brand.count(),
    ),

  // Ties in index keep creation order, so the carousel never reshuffles between requests.
  banners: (_root, _args, { db }) => db.prisma.banner.findMany({ orderBy: [{ index: "asc" }, { id: "asc" }] }),

  categoryBrands: (_root, { page, pageSize }, { db }) =>
    pageOf(
      paging(page, pageSize),
      ({ skip, take }) => db.prisma.categoryBrand.findMany({ orderBy: { id: "asc" }, skip, take }),
      () => db.prisma.categoryBrand.count(),
    ),
};

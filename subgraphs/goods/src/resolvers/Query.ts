import { parseId } from "@emshop/common/errors";
import type { QueryResolvers } from "../generated/resolvers-types";
import { goodsWhere } from "../goods-filter";
import { paging } from "../paging";

export const Query: QueryResolvers = {
  goods: (_root, { id }, { db }) => db.prisma.goods.findUnique({ where: { id: parseId(id) } }),

  goodsList: async (_root, { filter, page, pageSize }, { db }) => {
    const pageArgs = paging(page, pageSize);
    const where = await goodsWhere(db, filter);
    const [items, total] = await Promise.all([
      db.prisma.goods.findMany({ where, orderBy: { id: "desc" }, skip: pageArgs.skip, take: pageArgs.take }),
      db.prisma.goods.count({ where }),
    ]);
    return { items, total, page: pageArgs.page, pageSize: pageArgs.pageSize };
  },

  categories: (_root, _args, { db }) => db.prisma.category.findMany({ where: { level: 1 }, orderBy: { id: "asc" } }),

  category: (_root, { id }, { loaders }) => loaders.categoryById.load(parseId(id)),

  brands: async (_root, { page, pageSize }, { db }) => {
    const pageArgs = paging(page, pageSize);
    const [items, total] = await Promise.all([
      db.prisma.brand.findMany({ orderBy: { id: "asc" }, skip: pageArgs.skip, take: pageArgs.take }),
      db.prisma.brand.count(),
    ]);
    return { items, total, page: pageArgs.page, pageSize: pageArgs.pageSize };
  },

  // Ties in index keep creation order, so the carousel never reshuffles between requests.
  banners: (_root, _args, { db }) => db.prisma.banner.findMany({ orderBy: [{ index: "asc" }, { id: "asc" }] }),

  categoryBrands: async (_root, { page, pageSize }, { db }) => {
    const pageArgs = paging(page, pageSize);
    const [items, total] = await Promise.all([
      db.prisma.categoryBrand.findMany({ orderBy: { id: "asc" }, skip: pageArgs.skip, take: pageArgs.take }),
      db.prisma.categoryBrand.count(),
    ]);
    return { items, total, page: pageArgs.page, pageSize: pageArgs.pageSize };
  },
};

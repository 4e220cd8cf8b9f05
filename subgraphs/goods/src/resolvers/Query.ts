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
};

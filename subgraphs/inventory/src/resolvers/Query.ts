import { parseId } from "@emshop/common/errors";
import type { QueryResolvers } from "../generated/resolvers-types";

export const Query: QueryResolvers = {
  inventory: (_root, args, { db }) =>
    db.prisma.inventory.findUnique({ where: { goodsId: parseId(args.goodsId, "goodsId") } }),
};

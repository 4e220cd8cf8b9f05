import { rowIdOrNull } from "@emshop/common/errors";
import type { GoodsResolvers } from "../generated/resolvers-types";

export const Goods: GoodsResolvers = {
  __resolveReference: (reference) => ({ id: reference.id }),
  stocks: (goods, _args, { loaders }) => {
    // A representation with a malformed id cannot have stock; that is not an error for the storefront.
    const id = rowIdOrNull(goods.id);
    return id === null ? null : loaders.stocksByGoodsId.load(id);
  },
};

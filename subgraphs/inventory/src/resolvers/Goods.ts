import { rowIdOrNull } from "@emshop/common/errors";
import type { GoodsResolvers } from "../generated/resolvers-types";

export const Goods: GoodsResolvers = {
  __resolveReference: (reference) => ({ id: reference.id }),
  stocks: (goods, _args, { loaders }) => {
    // Handed over by Inventory.goods; a reference from another subgraph carries only the id.
    if ("stocks" in goods && typeof goods.stocks === "number") return goods.stocks;
    // A representation with a malformed id cannot have stock; that is not an error for the storefront.
    const id = rowIdOrNull(goods.id);
    return id === null ? null : loaders.stocksByGoodsId.load(id);
  },
};

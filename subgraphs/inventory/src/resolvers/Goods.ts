import type { GoodsResolvers } from "../generated/resolvers-types";

const goodsIdOf = (id: string | number) => {
  const numeric = Number(id);
  // A representation with a malformed id cannot have stock; it is not an error for the storefront.
  return Number.isSafeInteger(numeric) && numeric > 0 ? numeric : null;
};

export const Goods: GoodsResolvers = {
  __resolveReference: (reference) => ({ id: reference.id }),
  stocks: (goods, _args, { loaders }) => {
    const id = goodsIdOf(goods.id);
    return id === null ? null : loaders.stocksByGoodsId.load(id);
  },
};

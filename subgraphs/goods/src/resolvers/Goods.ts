import { rowIdOrNull } from "@emshop/common/errors";
import type { GoodsResolvers } from "../generated/resolvers-types";

export const Goods: GoodsResolvers = {
  // A representation naming no possible row resolves to null, like an unknown id.
  __resolveReference: (reference, { loaders }) => {
    const id = rowIdOrNull(reference.id);
    return id === null ? null : loaders.goodsById.load(id);
  },
  // Prices are DECIMAL(12,2) in the database: exact there, a Float for clients.
  marketPrice: (goods) => Number(goods.marketPrice),
  shopPrice: (goods) => Number(goods.shopPrice),
  category: async (goods, _args, { loaders }) => {
    const category = await loaders.categoryById.load(goods.categoryId);
    if (!category) throw new Error(`goods ${goods.id} has no category ${goods.categoryId}`);
    return category;
  },
  brand: async (goods, _args, { loaders }) => {
    const brand = await loaders.brandById.load(goods.brandId);
    if (!brand) throw new Error(`goods ${goods.id} has no brand ${goods.brandId}`);
    return brand;
  },
};

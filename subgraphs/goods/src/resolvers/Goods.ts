import type { GoodsResolvers } from "../generated/resolvers-types";

export const Goods: GoodsResolvers = {
  __resolveReference: (reference, { loaders }) => loaders.goodsById.load(Number(reference.id)),
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

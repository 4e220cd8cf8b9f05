import type { GoodsPageResolvers } from "../generated/resolvers-types";

export const GoodsPage: GoodsPageResolvers = {
  total: (page) => page.total(),
};

import type { StockSellItemResolvers, StockSellResolvers } from "../generated/resolvers-types";

export const StockSell: StockSellResolvers = {
  items: (row) => row.items,
};

export const StockSellItem: StockSellItemResolvers = {
  goodsId: (item) => String(item.goodsId),
};

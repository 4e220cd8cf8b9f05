import type { InventoryResolvers } from "../generated/resolvers-types";

export const Inventory: InventoryResolvers = {
  goodsId: (row) => String(row.goodsId),
};

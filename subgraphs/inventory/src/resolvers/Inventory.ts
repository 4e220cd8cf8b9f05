import type { InventoryResolvers } from "../generated/resolvers-types";

export const Inventory: InventoryResolvers = {
  id: (row) => String(row.goodsId),
  goodsId: (row) => String(row.goodsId),
  // The stock this row holds right now (as written by this very mutation), not a
  // second read through the request's loader, whose cache may predate the write.
  goods: (row) => ({ id: String(row.goodsId), stocks: row.stocks }),
};

import type { InventoryResolvers } from "../generated/resolvers-types";
import { stockStatus } from "../stock/low-stock";

export const Inventory: InventoryResolvers = {
  id: (row) => String(row.goodsId),
  goodsId: (row) => String(row.goodsId),
  // Rows replayed from an idempotency record written before thresholds existed lack the field.
  lowStockThreshold: (row) => row.lowStockThreshold ?? null,
  effectiveLowStockThreshold: (row, _args, { lowStock }) => row.lowStockThreshold ?? lowStock.defaultThreshold,
  onHand: (row) => row.stocks,
  held: (row, _args, { loaders }) => loaders.liveHeldByGoodsId.load(row.goodsId),
  available: async (row, _args, { loaders }) => row.stocks - (await loaders.liveHeldByGoodsId.load(row.goodsId)),
  stockStatus: async (row, _args, { loaders, lowStock }) =>
    stockStatus(row.stocks - (await loaders.liveHeldByGoodsId.load(row.goodsId)), row.lowStockThreshold, lowStock),
  // The stock this row holds right now (as written by this very mutation), not a
  // second read through the request's loader, whose cache may predate the write.
  goods: async (row, _args, { loaders }) => ({
    id: String(row.goodsId),
    state: {
      stocks: row.stocks - (await loaders.liveHeldByGoodsId.load(row.goodsId)),
      lowStockThreshold: row.lowStockThreshold ?? null,
    },
  }),
};

import type { InventoryResolvers } from "../generated/resolvers-types";
import { stockStatus } from "../stock/low-stock";

export const Inventory: InventoryResolvers = {
  id: (row) => String(row.goodsId),
  goodsId: (row) => String(row.goodsId),
  // Rows replayed from an idempotency record written before thresholds existed lack the field.
  lowStockThreshold: (row) => row.lowStockThreshold ?? null,
  effectiveLowStockThreshold: (row, _args, { lowStock }) => row.lowStockThreshold ?? lowStock.defaultThreshold,
  stockStatus: (row, _args, { lowStock }) => stockStatus(row.stocks, row.lowStockThreshold, lowStock),
  // The stock this row holds right now (as written by this very mutation), not a
  // second read through the request's loader, whose cache may predate the write.
  goods: (row) => ({
    id: String(row.goodsId),
    state: { stocks: row.stocks, lowStockThreshold: row.lowStockThreshold ?? null },
  }),
};

import { rowIdOrNull } from "@emshop/common/errors";
import type { InventoryContext } from "../context";
import type { GoodsResolvers } from "../generated/resolvers-types";
import type { GoodsRef, StockState } from "../loaders";
import { stockStatus } from "../stock/low-stock";

/** The stock state handed over by Inventory.goods, else loaded (batched, one query per request). */
function stateOf(goods: GoodsRef, { loaders }: InventoryContext): Promise<StockState | null> | StockState | null {
  if (goods.state) return goods.state;
  // A representation with a malformed id cannot have stock; that is not an error for the storefront.
  const id = rowIdOrNull(goods.id);
  return id === null ? null : loaders.stockByGoodsId.load(id);
}

export const Goods: GoodsResolvers = {
  __resolveReference: (reference) => ({ id: reference.id }),
  stocks: async (goods, _args, context) => (await stateOf(goods, context))?.stocks ?? null,
  stockStatus: async (goods, _args, context) => {
    const state = await stateOf(goods, context);
    return state ? stockStatus(state.stocks, state.lowStockThreshold, context.lowStock) : null;
  },
};

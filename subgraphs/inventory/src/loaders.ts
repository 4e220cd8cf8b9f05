import type { InventoryDb } from "@emshop/db/inventory";
import DataLoader from "dataloader";

/** What inventory knows of one goods' stock: enough for `stocks` and `stockStatus`. */
export interface StockState {
  stocks: number;
  lowStockThreshold: number | null;
}

/**
 * A Goods as inventory resolves it: a reference (the id only; the state is
 * loaded), or handed over by Inventory.goods with the state just written.
 */
export interface GoodsRef {
  id: string | number;
  state?: StockState;
}

/**
 * Per-request loaders: created in the context of each request, never shared,
 * so one user's request never sees another's cached rows. All `Goods.stocks`
 * and `Goods.stockStatus` of one gateway request (one `_entities` call)
 * resolve in one SQL query.
 */
export function createLoaders(db: InventoryDb) {
  return {
    stockByGoodsId: new DataLoader<number, StockState | null>(
      async (goodsIds) => {
        const rows = await db.prisma.inventory.findMany({
          where: { goodsId: { in: [...goodsIds] } },
          select: { goodsId: true, stocks: true, lowStockThreshold: true },
        });
        const states = new Map(rows.map((row) => [row.goodsId, row]));
        return goodsIds.map((goodsId) => states.get(goodsId) ?? null);
      },
      // One SQL statement never names more goods than one `_entities` call may (MAX_ENTITIES' default).
      { maxBatchSize: 1000 },
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

import type { InventoryDb } from "@emshop/db/inventory";
import DataLoader from "dataloader";

/**
 * Per-request loaders: created in the context of each request, never shared,
 * so one user's request never sees another's cached rows. All `Goods.stocks`
 * of one gateway request (one `_entities` call) resolve in one SQL query.
 */
export function createLoaders(db: InventoryDb) {
  return {
    stocksByGoodsId: new DataLoader<number, number | null>(
      async (goodsIds) => {
        const rows = await db.prisma.inventory.findMany({
          where: { goodsId: { in: [...goodsIds] } },
          select: { goodsId: true, stocks: true },
        });
        const stocks = new Map(rows.map((row) => [row.goodsId, row.stocks]));
        return goodsIds.map((goodsId) => stocks.get(goodsId) ?? null);
        // One SQL statement never names more goods than one `_entities` call may (MAX_ENTITIES' default).
      },
      { maxBatchSize: 1000 },
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

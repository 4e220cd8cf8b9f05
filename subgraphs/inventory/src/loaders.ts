import type { InventoryDb } from "@emshop/db/inventory";
import DataLoader from "dataloader";
import { type Clock, liveHeld } from "./stock/holds";

/** What inventory knows of one goods' stock: enough for `stocks` and `stockStatus`. */
export interface StockState {
  /** Available: on hand minus the units of live holds. */
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

const STOCK_STATES_SQL = `
  SELECT i.goods_id AS "goodsId", i.stocks - coalesce(h.held, 0) AS stocks,
         i.low_stock_threshold AS "lowStockThreshold"
  FROM inventory i
  LEFT JOIN LATERAL (
    SELECT sum(num)::int AS held FROM stock_hold h WHERE h.goods_id = i.goods_id AND h.expires_at > $2
  ) h ON true
  WHERE i.goods_id = ANY($1::int[])`;

/**
 * Per-request loaders: created in the context of each request, never shared,
 * so one user's request never sees another's cached rows. All `Goods.stocks`
 * and `Goods.stockStatus` of one gateway request (one `_entities` call)
 * resolve in one SQL query.
 */
export function createLoaders(db: InventoryDb, clock: Clock) {
  return {
    // Available stock in one statement: on hand minus live holds (an expired hold counts for nothing,
    // swept or not). Raw SQL: Prisma's query builder cannot express the correlated sum.
    stockByGoodsId: new DataLoader<number, StockState | null>(
      async (goodsIds) => {
        const ids = [...goodsIds];
        // On the raw client: Prisma's $queryRaw cost this hot path ~10% of the subgraph's CPU under
        // catalog load (its query-interpreter and row mapping), for a statement it cannot type anyway.
        const rows = await db.sql.query<StockState & { goodsId: number }>(STOCK_STATES_SQL, [ids, clock()]);
        const states = new Map(rows.map((row) => [row.goodsId, row]));
        return goodsIds.map((goodsId) => states.get(goodsId) ?? null);
      },
      // One SQL statement never names more goods than one `_entities` call may (MAX_ENTITIES' default).
      { maxBatchSize: 1000 },
    ),
    /** Units held by live holds, for Inventory.held and .available. */
    liveHeldByGoodsId: new DataLoader<number, number>(async (goodsIds) => {
      const held = await liveHeld(db.sql, goodsIds, clock());
      return goodsIds.map((goodsId) => held.get(goodsId) ?? 0);
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

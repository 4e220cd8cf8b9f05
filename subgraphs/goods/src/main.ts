import { type SubgraphServiceOptions, startSubgraphService } from "@emshop/common/subgraph-service";
import { openGoodsDb } from "@emshop/db/goods";
import { prepareGoodsDb } from "@emshop/db/prepare";
import { type GoodsServiceDb, withCatalogCache } from "./catalog-cache";
import { createContext, DEFAULT_SEARCH, type SearchOptions } from "./context";
import { createGoodsServer } from "./server";

export interface GoodsServiceOptions extends SubgraphServiceOptions {
  search?: SearchOptions;
  /** Serve categories and brands from memory, invalidated by NOTIFY (default true). */
  catalogCache?: boolean;
}

/** Starts the goods subgraph: its database, migrations, then HTTP on `options.port` (default 4001). */
export const startGoodsService = (options: GoodsServiceOptions = {}) =>
  startSubgraphService(
    {
      name: "goods",
      defaultPort: 4001,
      openDb: async (database): Promise<GoodsServiceDb> => {
        const db = await openGoodsDb(database);
        return options.catalogCache === false ? db : withCatalogCache(db);
      },
      prepareDb: prepareGoodsDb,
      createServer: createGoodsServer,
      createContext: (db, request) => createContext(db, request, options.search ?? DEFAULT_SEARCH),
      warmUp: (db) => db.prisma.category.findFirst({ select: { id: true } }),
    },
    options,
  );

import { dbReplicaFallbackCounter, dbStatementCounter } from "@emshop/common/metrics/db-pool";
import { type SubgraphServiceOptions, startSubgraphService } from "@emshop/common/subgraph-service";
import { openGoodsDb } from "@emshop/db/goods";
import { prepareGoodsDb } from "@emshop/db/prepare";
import { DEFAULT_COUNT_CACHE, type GoodsServiceDb, withCatalogCache } from "./catalog-cache";
import { createContext, DEFAULT_SEARCH, type SearchOptions } from "./context";
import type { CountMemoOptions } from "./count-memo";
import { withReadReplicas } from "./read-replicas";
import { createGoodsServer } from "./server";

export interface GoodsServiceOptions extends SubgraphServiceOptions {
  search?: SearchOptions;
  /** Serve categories and brands from memory, invalidated by NOTIFY (default true). */
  catalogCache?: boolean;
  /** Goods counts remembered per filter, part of the catalog cache (default 10,000 for 60 s; maxEntries 0: off). */
  countCache?: CountMemoOptions;
  /** PostgreSQL read replicas the catalog queries read from (GOODS_DATABASE_REPLICA_URLS; default none). */
  replicaUrls?: readonly string[];
}

/** Starts the goods subgraph: its database, migrations, then HTTP on `options.port` (default 4001). */
export const startGoodsService = (options: GoodsServiceOptions = {}) =>
  startSubgraphService(
    {
      name: "goods",
      defaultPort: 4001,
      openDb: async (database, { metrics, logger }): Promise<GoodsServiceDb> => {
        let db: GoodsServiceDb = await openGoodsDb(database);
        try {
          if (options.replicaUrls?.length) {
            const fellBack = dbReplicaFallbackCounter(metrics, "goods");
            db = await withReadReplicas(db, {
              urls: options.replicaUrls,
              database: { ...database, onStatement: dbStatementCounter(metrics, "goods", "replica") },
              onFallback: (error) => {
                fellBack();
                logger.warn({ err: error }, "read replica failed; the read was retried on the primary");
              },
            });
          }
          return options.catalogCache === false
            ? db
            : await withCatalogCache(db, options.countCache ?? DEFAULT_COUNT_CACHE);
        } catch (error) {
          await db.close();
          throw error;
        }
      },
      prepareDb: prepareGoodsDb,
      createServer: createGoodsServer,
      createContext: (db, request) => createContext(db, request, options.search ?? DEFAULT_SEARCH),
      // The replicas were warmed up as they were opened.
      warmUp: (db) => db.prisma.category.findFirst({ select: { id: true } }),
    },
    options,
  );

import { type SubgraphServiceOptions, startSubgraphService } from "@emshop/common/subgraph-service";
import { openGoodsDb } from "@emshop/db/goods";
import { prepareGoodsDb } from "@emshop/db/prepare";
import { createContext } from "./context";
import { createGoodsServer } from "./server";

/** Starts the goods subgraph: its database, migrations, then HTTP on `options.port` (default 4001). */
export const startGoodsService = (options: SubgraphServiceOptions = {}) =>
  startSubgraphService(
    {
      name: "goods",
      defaultPort: 4001,
      openDb: openGoodsDb,
      prepareDb: prepareGoodsDb,
      createServer: createGoodsServer,
      createContext,
      warmUp: (db) => db.prisma.category.findFirst({ select: { id: true } }),
    },
    options,
  );

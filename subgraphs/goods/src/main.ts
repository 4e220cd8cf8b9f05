import { startSubgraphService } from "@emshop/common/subgraph-service";
import { openGoodsDb } from "@emshop/db/goods";
import type { DatabaseOptions } from "@emshop/db/open-database";
import { prepareGoodsDb } from "@emshop/db/prepare";
import { createContext } from "./context";
import { createGoodsServer } from "./server";

export interface GoodsServiceOptions {
  /** 0 picks a free port. */
  port?: number;
  database?: DatabaseOptions;
  log?: (line: string) => void;
  /** Load demo data into an empty embedded database (default true). */
  demoData?: boolean;
}

export const startGoodsService = (options: GoodsServiceOptions = {}) =>
  startSubgraphService({
    name: "goods",
    openDb: () => openGoodsDb(options.database),
    prepareDb: (db) => prepareGoodsDb(db, { log: options.log, demoData: options.demoData }),
    apollo: createGoodsServer(),
    createContext,
    port: options.port ?? 4001,
  });

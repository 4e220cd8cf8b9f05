import { startSubgraphService } from "@emshop/common/subgraph-service";
import { openInventoryDb } from "@emshop/db/inventory";
import type { DatabaseOptions } from "@emshop/db/open-database";
import { prepareInventoryDb } from "@emshop/db/prepare";
import { createContext } from "./context";
import { createInventoryServer } from "./server";

export interface InventoryServiceOptions {
  /** 0 picks a free port. */
  port?: number;
  database?: DatabaseOptions;
  log?: (line: string) => void;
  /** Load demo data into an empty embedded database (default true). */
  demoData?: boolean;
}

export const startInventoryService = (options: InventoryServiceOptions = {}) =>
  startSubgraphService({
    name: "inventory",
    openDb: () => openInventoryDb(options.database),
    prepareDb: (db) => prepareInventoryDb(db, { log: options.log, demoData: options.demoData }),
    apollo: createInventoryServer(),
    createContext,
    port: options.port ?? 4002,
  });

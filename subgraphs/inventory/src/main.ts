import { createMetricsRegistry } from "@emshop/common/metrics/registry";
import { type SubgraphServiceOptions, startSubgraphService } from "@emshop/common/subgraph-service";
import { openInventoryDb } from "@emshop/db/inventory";
import { prepareInventoryDb } from "@emshop/db/prepare";
import { createContext } from "./context";
import { createInventoryServer } from "./server";
import { DEFAULT_LOW_STOCK, type LowStockOptions } from "./stock/low-stock";
import { stockLevelMetrics, stockMetrics } from "./stock/metrics";

export interface InventoryServiceOptions extends SubgraphServiceOptions {
  lowStock?: LowStockOptions;
}

/** Starts the inventory subgraph: its database, migrations, then HTTP on `options.port` (default 4002). */
export const startInventoryService = (options: InventoryServiceOptions = {}) => {
  const lowStock = options.lowStock ?? DEFAULT_LOW_STOCK;
  // This instance's own registry: the tests run several services in one process.
  const metrics = options.metrics ?? createMetricsRegistry();
  const stock = stockMetrics(metrics);
  return startSubgraphService(
    {
      name: "inventory",
      defaultPort: 4002,
      openDb: openInventoryDb,
      prepareDb: prepareInventoryDb,
      createServer: createInventoryServer,
      createContext: (db, request) => createContext(db, request, lowStock, stock),
      warmUp: (db) => db.prisma.inventory.findFirst({ select: { id: true } }),
      registerMetrics: (registry, db) => stockLevelMetrics(registry, db, lowStock),
    },
    { ...options, metrics },
  );
};

import { createMetricsRegistry } from "@emshop/common/metrics/registry";
import { type SubgraphServiceOptions, startSubgraphService } from "@emshop/common/subgraph-service";
import { openInventoryDb } from "@emshop/db/inventory";
import { prepareInventoryDb } from "@emshop/db/prepare";
import { createContext } from "./context";
import { DEFAULT_STOCK_EVENTS, type StockEventOptions } from "./events/options";
import { type RunningStockEvents, startStockEvents } from "./events/stock-events";
import { createInventoryServer } from "./server";
import { DEFAULT_GROUP_COMMIT, type GroupCommitOptions, SellCoalescer } from "./stock/group-commit";
import { groupCommitMetrics } from "./stock/group-commit-metrics";
import { DEFAULT_HOLDS, type HoldOptions } from "./stock/hold-options";
import { startHoldSweeper } from "./stock/hold-sweeper";
import { DEFAULT_LOW_STOCK, type LowStockOptions } from "./stock/low-stock";
import { stockLevelMetrics, stockMetrics } from "./stock/metrics";

export interface InventoryServiceOptions extends SubgraphServiceOptions {
  lowStock?: LowStockOptions;
  /** Hold TTLs, the sweeper's pace and the clock (tests move it instead of sleeping). */
  holds?: Partial<HoldOptions>;
  /** The change feed's ticker and the NATS relay (README "Stock events"). */
  stockEvents?: Partial<StockEventOptions>;
  /** The group commit of sells (README "Flash sales"). */
  groupCommit?: Partial<GroupCommitOptions>;
}

/** Starts the inventory subgraph: its database, migrations, then HTTP on `options.port` (default 4002). */
export const startInventoryService = async (options: InventoryServiceOptions = {}) => {
  const lowStock = options.lowStock ?? DEFAULT_LOW_STOCK;
  const holds: HoldOptions = { ...DEFAULT_HOLDS, ...options.holds };
  // This instance's own registry: the tests run several services in one process.
  const metrics = options.metrics ?? createMetricsRegistry();
  const stock = stockMetrics(metrics);
  const groupCommit = { ...DEFAULT_GROUP_COMMIT, ...options.groupCommit };
  // One per process: it must see every concurrent sell of a goods to coalesce them (set once the database is open).
  let sells: SellCoalescer | undefined;
  const service = await startSubgraphService(
    {
      name: "inventory",
      defaultPort: 4002,
      openDb: openInventoryDb,
      prepareDb: prepareInventoryDb,
      createServer: createInventoryServer,
      createContext: (db, request) => {
        sells ??= new SellCoalescer(db, groupCommit, groupCommitMetrics(metrics));
        return createContext(db, request, lowStock, stock, holds, sells);
      },
      warmUp: (db) => db.prisma.inventory.findFirst({ select: { id: true } }),
      registerMetrics: (registry, db) => stockLevelMetrics(registry, db, lowStock),
      readinessDetails: () => events?.readiness(),
    },
    { ...options, metrics },
  );
  let events: RunningStockEvents | undefined;
  try {
    // Movements record the threshold in force, the default included (ledger.ts reads it from here).
    await service.db.sql.query("UPDATE inventory_settings SET default_low_stock_threshold = $1", [
      lowStock.defaultThreshold,
    ]);
    events = await startStockEvents(
      service.db.sql,
      { ...DEFAULT_STOCK_EVENTS, ...options.stockEvents },
      metrics,
      service.logger,
    );
  } catch (error) {
    await service.stop();
    throw error;
  }
  const running = events;
  // Every replica runs one; an advisory lock lets one sweep at a time (./stock/hold-sweeper.ts).
  const sweeper = startHoldSweeper(service.db, holds, service.logger);
  service.stopAlongside(() => sweeper.stop());
  service.stopAlongside(() => running.stop());
  return service;
};

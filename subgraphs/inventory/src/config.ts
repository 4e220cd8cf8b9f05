import { databaseOptions, inventoryDatabaseSettings } from "@emshop/common/config/database";
import { loadConfig } from "@emshop/common/config/load";
import { subgraphHost, subgraphServiceOptions, subgraphServiceSettings } from "@emshop/common/config/service";
import { type ConfigOf, integer, port } from "@emshop/common/config/settings";
import type { InventoryServiceOptions } from "./main";

/** Every variable the inventory subgraph reads (the README's configuration table is rendered from these). */
export const inventorySettings = {
  INVENTORY_PORT: port(4002, "listening port"),
  INVENTORY_HOST: subgraphHost("inventory"),
  LOW_STOCK_THRESHOLD: integer({
    default: 10,
    min: 0,
    max: 2_147_483_647,
    description:
      "goods without a threshold of their own are `LOW_STOCK` at or below this many units (`setLowStockThreshold` sets one per goods; 0: never low, only out)",
  }),
  ...inventoryDatabaseSettings,
  ...subgraphServiceSettings,
};

export type InventoryConfig = ConfigOf<typeof inventorySettings>;

export const loadInventoryConfig = (env: Record<string, string | undefined>): InventoryConfig =>
  loadConfig("inventory", inventorySettings, env);

export const inventoryServiceOptions = (config: InventoryConfig): InventoryServiceOptions => ({
  lowStock: { defaultThreshold: config.LOW_STOCK_THRESHOLD },
  ...subgraphServiceOptions(
    "inventory",
    { port: config.INVENTORY_PORT, host: config.INVENTORY_HOST },
    databaseOptions("inventory", config.INVENTORY_DATABASE_URL, config),
    config,
  ),
});

import { databaseOptions, inventoryDatabaseSettings } from "@emshop/common/config/database";
import { loadConfig } from "@emshop/common/config/load";
import { subgraphHost, subgraphServiceOptions, subgraphServiceSettings } from "@emshop/common/config/service";
import { type ConfigOf, port } from "@emshop/common/config/settings";

/** Every variable the inventory subgraph reads (the README's configuration table is rendered from these). */
export const inventorySettings = {
  INVENTORY_PORT: port(4002, "listening port"),
  INVENTORY_HOST: subgraphHost("inventory"),
  ...inventoryDatabaseSettings,
  ...subgraphServiceSettings,
};

export type InventoryConfig = ConfigOf<typeof inventorySettings>;

export const loadInventoryConfig = (env: Record<string, string | undefined>): InventoryConfig =>
  loadConfig("inventory", inventorySettings, env);

export const inventoryServiceOptions = (config: InventoryConfig) =>
  subgraphServiceOptions(
    "inventory",
    { port: config.INVENTORY_PORT, host: config.INVENTORY_HOST },
    databaseOptions("inventory", config.INVENTORY_DATABASE_URL, config),
    config,
  );

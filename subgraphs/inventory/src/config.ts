import { databaseOptions, inventoryDatabaseSettings } from "@emshop/common/config/database";
import { loadConfig } from "@emshop/common/config/load";
import { subgraphHost, subgraphServiceOptions, subgraphServiceSettings } from "@emshop/common/config/service";
import { type ConfigOf, integer, port } from "@emshop/common/config/settings";
import type { InventoryServiceOptions } from "./main";
import type { HoldOptions } from "./stock/hold-options";

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
  HOLD_TTL_DEFAULT_SECONDS: integer({
    default: 900,
    min: 1,
    max: 2_592_000,
    description: "how long a checkout hold lasts when `holdStock` names no `ttlSeconds` (15 minutes)",
  }),
  HOLD_TTL_MIN_SECONDS: integer({
    default: 30,
    min: 1,
    max: 2_592_000,
    description: "shortest `ttlSeconds` a `holdStock` may ask for",
  }),
  HOLD_TTL_MAX_SECONDS: integer({
    default: 86_400,
    min: 1,
    max: 2_592_000,
    description: "longest `ttlSeconds` a `holdStock` may ask for (24 hours)",
  }),
  HOLD_SWEEP_INTERVAL_MS: integer({
    default: 5_000,
    min: 0,
    max: 3_600_000,
    description:
      "how often a replica looks for expired holds to end (one replica at a time sweeps; 0: never, reads and writes still ignore expired holds)",
  }),
  ...inventoryDatabaseSettings,
  ...subgraphServiceSettings,
};

export type InventoryConfig = ConfigOf<typeof inventorySettings>;

function holdOptions(config: InventoryConfig): Partial<HoldOptions> {
  const [min, max, fallback] = [
    config.HOLD_TTL_MIN_SECONDS,
    config.HOLD_TTL_MAX_SECONDS,
    config.HOLD_TTL_DEFAULT_SECONDS,
  ];
  if (min > max) throw new Error(`HOLD_TTL_MIN_SECONDS (${min}) is above HOLD_TTL_MAX_SECONDS (${max})`);
  if (fallback < min || fallback > max)
    throw new Error(
      `HOLD_TTL_DEFAULT_SECONDS (${fallback}) must lie between HOLD_TTL_MIN_SECONDS and HOLD_TTL_MAX_SECONDS`,
    );
  return {
    minTtlSeconds: min,
    maxTtlSeconds: max,
    defaultTtlSeconds: fallback,
    sweepIntervalMs: config.HOLD_SWEEP_INTERVAL_MS,
  };
}

export const loadInventoryConfig = (env: Record<string, string | undefined>): InventoryConfig =>
  loadConfig("inventory", inventorySettings, env);

export const inventoryServiceOptions = (config: InventoryConfig): InventoryServiceOptions => ({
  lowStock: { defaultThreshold: config.LOW_STOCK_THRESHOLD },
  holds: holdOptions(config),
  ...subgraphServiceOptions(
    "inventory",
    { port: config.INVENTORY_PORT, host: config.INVENTORY_HOST },
    databaseOptions("inventory", config.INVENTORY_DATABASE_URL, config),
    config,
  ),
});

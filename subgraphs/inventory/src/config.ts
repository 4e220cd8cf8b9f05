import { databaseOptions, inventoryDatabaseSettings } from "@emshop/common/config/database";
import { loadConfig } from "@emshop/common/config/load";
import { subgraphHost, subgraphServiceOptions, subgraphServiceSettings } from "@emshop/common/config/service";
import { boolean, type ConfigOf, integer, milliseconds, port } from "@emshop/common/config/settings";
import { stockEventSettings } from "@emshop/common/config/stock-events";
import type { StockEventOptions } from "./events/options";
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
  SELL_GROUP_COMMIT: boolean({
    default: true,
    description:
      'coalesce concurrent single-goods sells of one goods into one transaction per batch (README "Flash sales"); false: one statement per sell',
  }),
  SELL_GROUP_COMMIT_MAX_BATCH: integer({
    default: 200,
    min: 1,
    max: 10_000,
    description: "most sells one group-commit batch takes; the rest wait for the next",
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
  ...stockEventSettings,
  STOCK_EVENTS_TICK_MS: milliseconds({
    default: 200,
    min: 10,
    max: 60_000,
    description:
      "how often a replica ticks the change feed: a committed change reaches the feed, the stream and subscribers within about this long",
  }),
  STOCK_EVENTS_RETENTION_HOURS: integer({
    default: 168,
    min: 1,
    max: 87_600,
    description:
      "how far back `stockChanges` and the JetStream stream reach (older cursors get `CURSOR_EXPIRED`); the ledger itself is kept",
  }),
  STOCK_EVENTS_MAX_MB: integer({
    default: 1024,
    min: -1,
    max: 1_048_576,
    description: "size bound of the JetStream stream in MiB (-1: none); the oldest messages go first",
  }),
  STOCK_EVENTS_DUPLICATE_WINDOW_S: integer({
    default: 120,
    min: 1,
    max: 86_400,
    description: "JetStream drops a message whose id (`<database>:<movement>`) it stored this recently",
  }),
  STOCK_EVENTS_RELAY_LEASE_MS: milliseconds({
    default: 5000,
    min: 500,
    max: 300_000,
    description: "one replica relays at a time; another takes over this long after it stopped renewing its lease",
  }),
  STOCK_EVENTS_LAG_ALERT_SECONDS: integer({
    default: 30,
    min: 1,
    max: 86_400,
    description:
      "relay lag at which the `EmshopStockEventsRelayLagging` alert fires (exported as `stock_events_relay_lag_bound_seconds`)",
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

function stockEventOptions(config: InventoryConfig): StockEventOptions {
  return {
    tickIntervalMs: config.STOCK_EVENTS_TICK_MS,
    retentionMs: config.STOCK_EVENTS_RETENTION_HOURS * 3_600_000,
    maxBytes: config.STOCK_EVENTS_MAX_MB < 0 ? -1 : config.STOCK_EVENTS_MAX_MB * 1024 * 1024,
    duplicateWindowMs: config.STOCK_EVENTS_DUPLICATE_WINDOW_S * 1000,
    leaseMs: config.STOCK_EVENTS_RELAY_LEASE_MS,
    publishTimeoutMs: 2000,
    lagAlertSeconds: config.STOCK_EVENTS_LAG_ALERT_SECONDS,
    ...(config.NATS_URL ? { natsUrl: config.NATS_URL } : {}),
    stream: config.STOCK_EVENTS_STREAM,
    subject: config.STOCK_EVENTS_SUBJECT,
  };
}

export const loadInventoryConfig = (env: Record<string, string | undefined>): InventoryConfig =>
  loadConfig("inventory", inventorySettings, env);

export const inventoryServiceOptions = (config: InventoryConfig): InventoryServiceOptions => ({
  lowStock: { defaultThreshold: config.LOW_STOCK_THRESHOLD },
  holds: holdOptions(config),
  stockEvents: stockEventOptions(config),
  groupCommit: { enabled: config.SELL_GROUP_COMMIT, maxBatch: config.SELL_GROUP_COMMIT_MAX_BATCH },
  ...subgraphServiceOptions(
    "inventory",
    { port: config.INVENTORY_PORT, host: config.INVENTORY_HOST },
    databaseOptions("inventory", config.INVENTORY_DATABASE_URL, config),
    config,
  ),
});

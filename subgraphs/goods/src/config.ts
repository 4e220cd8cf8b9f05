import { databaseOptions, goodsDatabaseSettings } from "@emshop/common/config/database";
import { ConfigError, loadConfig } from "@emshop/common/config/load";
import { subgraphHost, subgraphServiceOptions, subgraphServiceSettings } from "@emshop/common/config/service";
import { boolean, type ConfigOf, integer, milliseconds, port } from "@emshop/common/config/settings";
import type { GoodsServiceOptions } from "./main";

/** Every variable the goods subgraph reads (the README's configuration table is rendered from these). */
export const goodsSettings = {
  GOODS_PORT: port(4001, "listening port"),
  GOODS_HOST: subgraphHost("goods"),
  MAX_KEYWORDS_LENGTH: integer({
    default: 100,
    min: 1,
    max: 1_000_000,
    description:
      "longest `goodsList(filter: { keywords })` accepted (`BAD_USER_INPUT`): the database compares every character against every row it scans",
  }),
  CATALOG_CACHE: boolean({
    default: true,
    description:
      "keep categories, brands and their pairing in memory (a catalog page costs 2 SQL statements instead of 4); every replica drops its copy on the database's `NOTIFY catalog_changed`, and reads the database while it cannot listen",
  }),
  GOODS_COUNT_CACHE_ENTRIES: integer({
    default: 10_000,
    min: 0,
    max: 10_000_000,
    description:
      "goods counts (`total`, `totalUpTo`) remembered per filter in each replica, forgotten on every goods, category or brand change (`NOTIFY catalog_changed`) and on this replica's own writes; needs `CATALOG_CACHE`; 0: count in SQL every time",
  }),
  GOODS_COUNT_CACHE_TTL_MS: milliseconds({
    default: 60_000,
    description:
      "longest a remembered count is served: the bound on how stale one read from a lagging read replica can be",
  }),
  ...goodsDatabaseSettings,
  ...subgraphServiceSettings,
};

export type GoodsConfig = ConfigOf<typeof goodsSettings>;

export const loadGoodsConfig = (env: Record<string, string | undefined>): GoodsConfig =>
  loadConfig("goods", goodsSettings, env);

/** The direct URL and the replicas only mean something next to a PostgreSQL primary. */
function checkPostgresOnly(config: GoodsConfig) {
  if (config.GOODS_DATABASE_URL && /^postgres(ql)?:\/\//.test(config.GOODS_DATABASE_URL)) return;
  const issues = (["GOODS_DATABASE_DIRECT_URL", "GOODS_DATABASE_REPLICA_URLS"] as const)
    .filter((variable) => (variable === "GOODS_DATABASE_REPLICA_URLS" ? config[variable].length > 0 : config[variable]))
    .map((variable) => ({
      variable,
      value: "(hidden)",
      message: "only with a postgresql://… GOODS_DATABASE_URL (embedded PGlite has no pooler and no replicas)",
    }));
  if (issues.length > 0) throw new ConfigError("goods", issues);
}

export const goodsServiceOptions = (config: GoodsConfig): GoodsServiceOptions => {
  checkPostgresOnly(config);
  const database = databaseOptions("goods", config.GOODS_DATABASE_URL, config);
  return {
    search: { maxKeywordsLength: config.MAX_KEYWORDS_LENGTH },
    catalogCache: config.CATALOG_CACHE,
    countCache: { maxEntries: config.GOODS_COUNT_CACHE_ENTRIES, ttlMs: config.GOODS_COUNT_CACHE_TTL_MS },
    replicaUrls: config.GOODS_DATABASE_REPLICA_URLS,
    ...subgraphServiceOptions(
      "goods",
      { port: config.GOODS_PORT, host: config.GOODS_HOST },
      config.GOODS_DATABASE_DIRECT_URL ? { ...database, directUrl: config.GOODS_DATABASE_DIRECT_URL } : database,
      config,
    ),
  };
};

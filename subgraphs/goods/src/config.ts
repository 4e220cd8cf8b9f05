import { databaseOptions, goodsDatabaseSettings } from "@emshop/common/config/database";
import { loadConfig } from "@emshop/common/config/load";
import { subgraphHost, subgraphServiceOptions, subgraphServiceSettings } from "@emshop/common/config/service";
import { boolean, type ConfigOf, integer, port } from "@emshop/common/config/settings";
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
  ...goodsDatabaseSettings,
  ...subgraphServiceSettings,
};

export type GoodsConfig = ConfigOf<typeof goodsSettings>;

export const loadGoodsConfig = (env: Record<string, string | undefined>): GoodsConfig =>
  loadConfig("goods", goodsSettings, env);

export const goodsServiceOptions = (config: GoodsConfig): GoodsServiceOptions => ({
  search: { maxKeywordsLength: config.MAX_KEYWORDS_LENGTH },
  catalogCache: config.CATALOG_CACHE,
  ...subgraphServiceOptions(
    "goods",
    { port: config.GOODS_PORT, host: config.GOODS_HOST },
    databaseOptions("goods", config.GOODS_DATABASE_URL, config),
    config,
  ),
});

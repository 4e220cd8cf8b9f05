import { databaseOptions, goodsDatabaseSettings } from "@emshop/common/config/database";
import { loadConfig } from "@emshop/common/config/load";
import { subgraphServiceOptions, subgraphServiceSettings } from "@emshop/common/config/service";
import { type ConfigOf, port } from "@emshop/common/config/settings";

/** Every variable the goods subgraph reads (the README's configuration table is rendered from these). */
export const goodsSettings = {
  GOODS_PORT: port(4001, "listening port"),
  ...goodsDatabaseSettings,
  ...subgraphServiceSettings,
};

export type GoodsConfig = ConfigOf<typeof goodsSettings>;

export const loadGoodsConfig = (env: Record<string, string | undefined>): GoodsConfig =>
  loadConfig("goods", goodsSettings, env);

export const goodsServiceOptions = (config: GoodsConfig) =>
  subgraphServiceOptions(
    "goods",
    config.GOODS_PORT,
    databaseOptions("goods", config.GOODS_DATABASE_URL, config),
    config,
  );

import { loggerOptions, shutdownOptions } from "@emshop/common/config/service";
import { runService } from "@emshop/common/run-service";
import { goodsServiceOptions, loadGoodsConfig } from "./config";
import { startGoodsService } from "./main";

await runService({
  name: "goods",
  loadConfig: () => loadGoodsConfig(process.env),
  logging: (config) => loggerOptions("goods", config),
  start: (config, logger) => startGoodsService({ ...goodsServiceOptions(config), logger }),
  shutdownOf: shutdownOptions,
  describe: (service) => ({ database: `${service.db.kind} ${service.db.location}` }),
});

import { shutdownOptions } from "@emshop/common/config/service";
import { runService } from "@emshop/common/run-service";
import { goodsServiceOptions, loadGoodsConfig } from "./config";
import { startGoodsService } from "./main";

await runService({
  name: "goods",
  loadConfig: () => loadGoodsConfig(process.env),
  start: (config) => startGoodsService(goodsServiceOptions(config)),
  shutdownOf: shutdownOptions,
  describe: (service) => `${service.db.kind} ${service.db.location}`,
});

import { loggerOptions, shutdownOptions } from "@emshop/common/config/service";
import { runService } from "@emshop/common/run-service";
import { inventoryServiceOptions, loadInventoryConfig } from "./config";
import { startInventoryService } from "./main";

await runService({
  name: "inventory",
  loadConfig: () => loadInventoryConfig(process.env),
  logging: (config) => loggerOptions("inventory", config),
  start: (config, logger) => startInventoryService({ ...inventoryServiceOptions(config), logger }),
  shutdownOf: shutdownOptions,
  describe: (service) => ({ database: `${service.db.kind} ${service.db.location}` }),
});

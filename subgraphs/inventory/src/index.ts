import { shutdownOptions } from "@emshop/common/config/service";
import { runService } from "@emshop/common/run-service";
import { inventoryServiceOptions, loadInventoryConfig } from "./config";
import { startInventoryService } from "./main";

await runService({
  name: "inventory",
  loadConfig: () => loadInventoryConfig(process.env),
  start: (config) => startInventoryService(inventoryServiceOptions(config)),
  shutdownOf: shutdownOptions,
  describe: (service) => `${service.db.kind} ${service.db.location}`,
});

import { loggerOptions, shutdownOptions } from "@emshop/common/config/service";
import { runService } from "@emshop/common/run-service";
import { gatewayServiceOptions, loadGatewayConfig } from "./config";
import { startGatewayService } from "./main";

await runService({
  name: "gateway",
  loadConfig: () => loadGatewayConfig(process.env),
  logging: (config) => loggerOptions("gateway", config),
  start: (config, logger) => startGatewayService({ ...gatewayServiceOptions(config), logger }),
  shutdownOf: shutdownOptions,
});

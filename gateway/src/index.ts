import { shutdownOptions } from "@emshop/common/config/service";
import { runService } from "@emshop/common/run-service";
import { gatewayServiceOptions, loadGatewayConfig } from "./config";
import { startGatewayService } from "./main";

await runService({
  name: "gateway",
  loadConfig: () => loadGatewayConfig(process.env),
  start: (config) => startGatewayService(gatewayServiceOptions(config)),
  shutdownOf: shutdownOptions,
});

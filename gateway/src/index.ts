import { stopOnSignals } from "@emshop/common/http-service";
import { startGatewayService } from "./main";

const service = await startGatewayService({ port: Number(process.env.GATEWAY_PORT ?? process.env.PORT ?? 4000) });
console.log(`[gateway] serving ${service.url.replace("127.0.0.1", "localhost")}`);
stopOnSignals("gateway", service.stop);

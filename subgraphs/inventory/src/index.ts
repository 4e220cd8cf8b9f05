import { stopOnSignals } from "@emshop/common/http-service";
import { startInventoryService } from "./main";

const service = await startInventoryService({ port: Number(process.env.INVENTORY_PORT ?? process.env.PORT ?? 4002) });
console.log(`[inventory] ${service.db.kind} ${service.db.location}; serving ${service.url}`);
stopOnSignals("inventory", service.stop);

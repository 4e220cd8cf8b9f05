import { stopOnSignals } from "@emshop/common/http-service";
import { startGoodsService } from "./main";

const service = await startGoodsService({ port: Number(process.env.GOODS_PORT ?? process.env.PORT ?? 4001) });
console.log(`[goods] ${service.db.kind} ${service.db.location}; serving ${service.url}`);
stopOnSignals("goods", service.stop);

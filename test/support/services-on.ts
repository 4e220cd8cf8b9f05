import { startGatewayService } from "@emshop/gateway/main";
import { startGoodsService } from "@emshop/goods/main";
import { startInventoryService } from "@emshop/inventory/main";
import { quietLogger } from "./logs";

/**
 * The whole system over real HTTP on databases the caller already has (e.g. a
 * migrated legacy shop), unlike startStack, which creates fresh ones. Starting
 * a service applies its pending migrations, as in production.
 */
export async function startServicesOn(urls: { goods: string; inventory: string }) {
  const goods = await startGoodsService({
    port: 0,
    database: { url: urls.goods },
    logger: quietLogger(),
    demoData: false,
  });
  const inventory = await startInventoryService({
    port: 0,
    database: { url: urls.inventory },
    logger: quietLogger(),
    demoData: false,
  }).catch(async (error: unknown) => {
    await goods.stop();
    throw error;
  });
  const gateway = await startGatewayService({
    port: 0,
    subgraphUrls: { goods: goods.url, inventory: inventory.url },
    logger: quietLogger(),
  });
  return {
    url: gateway.url,
    async stop() {
      await gateway.stop();
      await Promise.allSettled([goods.stop(), inventory.stop()]);
    },
  };
}

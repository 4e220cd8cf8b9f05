import type { LimitOptions } from "@emshop/common/limits/options";
import { startGatewayService } from "@emshop/gateway/main";
import type { SubscriptionOptions } from "@emshop/gateway/subscriptions/options";
import { startGoodsService } from "@emshop/goods/main";
import type { StockEventOptions } from "@emshop/inventory/events/options";
import { startInventoryService } from "@emshop/inventory/main";
import { capturingLogger, type LogLine, quietLogger } from "../../support/logs";
import { seedTestData } from "../../support/seed";
import { createTestDatabase, type TestDatabase } from "../../support/test-database";

/**
 * test/support/stack.ts's whole system (goods, inventory, gateway on free
 * ports, fresh databases, the small seed), plus what it does not pass on yet:
 * inventory's stock event options (the NATS relay) and the gateway's
 * subscription options (caps, NATS source).
 */
export interface SubscriptionStackOptions {
  subscriptions?: Partial<SubscriptionOptions>;
  stockEvents?: Partial<StockEventOptions>;
  limits?: LimitOptions;
  /** The gateway's log lines, parsed (default: it logs nothing). */
  gatewayLog?: (line: LogLine) => void;
}

export async function startSubscriptionStack(options: SubscriptionStackOptions = {}) {
  const databases: TestDatabase[] = [await createTestDatabase("goods"), await createTestDatabase("inventory")];
  const [goodsDb, inventoryDb] = databases as [TestDatabase, TestDatabase];
  const limits = options.limits ? { limits: options.limits } : {};
  const goods = await startGoodsService({
    port: 0,
    database: { url: goodsDb.url },
    logger: quietLogger(),
    demoData: false,
    ...limits,
  });
  const inventory = await startInventoryService({
    port: 0,
    database: { url: inventoryDb.url },
    logger: quietLogger(),
    demoData: false,
    ...(options.stockEvents ? { stockEvents: options.stockEvents } : {}),
    ...limits,
  });
  await seedTestData(goods.db, inventory.db, "small");
  const gatewayLog = options.gatewayLog;
  const gateway = await startGatewayService({
    port: 0,
    subgraphUrls: { goods: goods.url, inventory: inventory.url },
    logger: gatewayLog ? capturingLogger("gateway", gatewayLog) : quietLogger(),
    ...(options.subscriptions ? { subscriptions: options.subscriptions } : {}),
    ...limits,
  });
  const origin = `127.0.0.1:${gateway.port}`;
  return {
    goods,
    inventory,
    gateway,
    url: gateway.url,
    /** graphql-ws clients connect here (an upgrade of /graphql)… */
    wsUrl: `ws://${origin}/graphql`,
    /** …graphql-sse clients here. */
    sseUrl: `http://${origin}/graphql/stream`,
    async stop() {
      await gateway.stop();
      await Promise.allSettled([goods.stop(), inventory.stop()]);
      await Promise.allSettled(databases.map((db) => db.drop()));
    },
  };
}

export type SubscriptionStack = Awaited<ReturnType<typeof startSubscriptionStack>>;

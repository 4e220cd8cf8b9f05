import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import type { LimitOptions } from "@emshop/common/limits/options";
import { startGatewayService } from "@emshop/gateway/main";
import { startGoodsService } from "@emshop/goods/main";
import type { StockEventOptions } from "@emshop/inventory/events/options";
import { startInventoryService } from "@emshop/inventory/main";
import { capturingLogger, type LogLine, quietLogger } from "./logs";
import { type SeedSize, seedTestData } from "./seed";
import { createTestDatabase, type TestDatabase } from "./test-database";

/**
 * The whole system on free ports, over real HTTP: goods and inventory
 * subgraphs on their own fresh databases, and the gateway in front of them.
 */
export interface StackOptions {
  /** Demo data to load (default "small"); false for empty databases. */
  seed?: SeedSize | false;
  /** Gateway timeout for subgraph queries (default 2000 ms). */
  queryTimeoutMs?: number;
  /** Gateway timeout for subgraph mutations (default 15000 ms). */
  mutationTimeoutMs?: number;
  /** Apollo plugins added to both subgraphs (e.g. to count the requests they get). */
  subgraphPlugins?: ApolloServerPlugin<BaseContext>[];
  /** Sees the SQL of every Prisma query the inventory subgraph sends. */
  onInventoryQuery?: (sql: string) => void;
  /** Limits (and CORS origins) of all three services (default DEFAULT_LIMITS). */
  limits?: LimitOptions;
  /** Receives every line the services log, parsed (default: they log nothing). */
  log?: (service: "gateway" | "goods" | "inventory", line: LogLine) => void;
  /** How inventory runs its stock events (default: ticks, no NATS). */
  stockEvents?: Partial<StockEventOptions>;
}

export async function startStack(options: StackOptions = {}) {
  const databases: TestDatabase[] = [await createTestDatabase("goods"), await createTestDatabase("inventory")];
  const [goodsDb, inventoryDb] = databases as [TestDatabase, TestDatabase];
  const plugins = options.subgraphPlugins ?? [];
  const loggerFor = (service: "gateway" | "goods" | "inventory") =>
    options.log ? capturingLogger(service, (line) => options.log?.(service, line)) : quietLogger();
  const goods = await startGoodsService({
    port: 0,
    database: { url: goodsDb.url },
    logger: loggerFor("goods"),
    ...(options.limits ? { limits: options.limits } : {}),
    demoData: false,
    plugins,
  });
  const inventory = await startInventoryService({
    port: 0,
    database: { url: inventoryDb.url, onQuery: options.onInventoryQuery },
    logger: loggerFor("inventory"),
    ...(options.limits ? { limits: options.limits } : {}),
    demoData: false,
    plugins,
    ...(options.stockEvents ? { stockEvents: options.stockEvents } : {}),
  });
  if (options.seed !== false) await seedTestData(goods.db, inventory.db, options.seed ?? "small");
  const gateway = await startGatewayService({
    port: 0,
    subgraphUrls: { goods: goods.url, inventory: inventory.url },
    timeouts: { queryMs: options.queryTimeoutMs ?? 2000, mutationMs: options.mutationTimeoutMs ?? 15_000 },
    logger: loggerFor("gateway"),
    ...(options.limits ? { limits: options.limits } : {}),
  });
  return {
    goods,
    inventory,
    gateway,
    url: gateway.url,
    /** The databases' connection URLs (e.g. for a second connection that holds a lock). */
    databaseUrls: { goods: goodsDb.url, inventory: inventoryDb.url },
    async stop() {
      await gateway.stop();
      await Promise.allSettled([goods.stop(), inventory.stop()]);
      await Promise.allSettled(databases.map((db) => db.drop()));
    },
  };
}

export type Stack = Awaited<ReturnType<typeof startStack>>;

import { seedGoods } from "@emshop/db/seed/seed-goods";
import { startGoodsService } from "@emshop/goods/main";
import { quietLogger } from "./logs";
import { createTestDatabase } from "./test-database";

/** The goods subgraph over real HTTP on its own fresh, seeded database (for gateways in front of fakes). */
export async function startSeededGoods(label: string, goodsCount = 30) {
  const database = await createTestDatabase(label);
  const service = await startGoodsService({
    port: 0,
    database: { url: database.url },
    logger: quietLogger(),
    demoData: false,
  });
  await seedGoods(service.db, { goodsCount });
  return Object.assign(service, {
    async close() {
      await service.stop();
      await database.drop();
    },
  });
}

export type SeededGoods = Awaited<ReturnType<typeof startSeededGoods>>;

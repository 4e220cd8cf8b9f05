import type { GoodsDb } from "@emshop/db/goods";
import type { InventoryDb } from "@emshop/db/inventory";
import { seedGoods } from "@emshop/db/seed/seed-goods";
import { seedInventory } from "@emshop/db/seed/seed-inventory";

/** "small" keeps tests fast; "demo" is the full catalog `npm start` shows. */
export type SeedSize = "small" | "demo";
export const SEED_GOODS = { small: 150, demo: 1200 } as const;

export async function seedTestData(goods: GoodsDb, inventory: InventoryDb, size: SeedSize = "small") {
  const goodsCount = SEED_GOODS[size];
  await seedGoods(goods, { goodsCount });
  await seedInventory(inventory, { goodsCount });
}

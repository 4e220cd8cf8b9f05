import type { InventoryDb } from "../inventory";
import { type CatalogOptions, DEFAULT_GOODS_COUNT, generateStocks } from "./catalog";

/** One inventory row for each demo goods (ids 1..goodsCount); existing rows are left alone. */
export async function seedInventory(db: InventoryDb, options: CatalogOptions = {}) {
  const count = options.goodsCount ?? DEFAULT_GOODS_COUNT;
  const rows = generateStocks(Array.from({ length: count }, (_, index) => index + 1));
  const created = await db.prisma.inventory.createMany({ data: rows, skipDuplicates: true });
  return { inventory: created.count };
}

export async function isInventoryDbEmpty(db: InventoryDb) {
  return (await db.prisma.inventory.count()) === 0;
}

import type { InventoryDb } from "../inventory";
import { importStockRows } from "../stock-import";
import { type CatalogOptions, DEFAULT_GOODS_COUNT, generateStocks } from "./catalog";

/**
 * One inventory row for each demo goods (ids 1..goodsCount); existing rows are left alone.
 * Goes through the same import as the inventory subgraph, so every seeded row has its
 * IMPORT ledger entry and the ledger invariant (sum of deltas = stocks) holds from the start.
 */
export async function seedInventory(db: InventoryDb, options: CatalogOptions = {}) {
  const count = options.goodsCount ?? DEFAULT_GOODS_COUNT;
  const rows = generateStocks(Array.from({ length: count }, (_, index) => index + 1));
  const { created } = await importStockRows(db.sql, rows, { reason: "demo seed", actor: "seed" });
  return { inventory: created };
}

export async function isInventoryDbEmpty(db: InventoryDb) {
  return (await db.prisma.inventory.count()) === 0;
}

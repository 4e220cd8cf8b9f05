import { type GoodsDb, openGoodsDb } from "@emshop/db/goods";
import { type InventoryDb, openInventoryDb } from "@emshop/db/inventory";
import { migrate } from "@emshop/db/migrate";
import type { SqlClient } from "@emshop/db/sql-client";
import { importStocks } from "@emshop/inventory/stock/import-stocks";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

/** The last goods migration a legacy shop has: goods.stocks still exists. */
export const LEGACY_GOODS_MIGRATION = "0002_legacy_stock_backup.sql";

/** goods id → [legacy goods.stocks, inventory.stocks]; undefined = no inventory row. */
export const LEGACY_GOODS: Record<number, [number | null, number | undefined]> = {
  1: [10, 10], // match
  2: [5, 8], // drift, inventory higher
  3: [9, 2], // drift, inventory lower
  4: [7, undefined], // missing_inventory
  5: [null, 4], // inventory_only
  6: [null, undefined], // no_stock_anywhere
  7: [0, 0], // match at zero
  8: [12, undefined], // missing_inventory
  9: [-3, undefined], // missing_inventory, oversold: the row starts at 0
};
/** Inventory rows whose goods do not exist. */
export const ORPHANS: Record<number, number> = { 900: 3, 901: 0 };

export const EXPECTED_COUNTS = {
  match: 2,
  drift: 2,
  missing_inventory: 3,
  inventory_only: 1,
  orphan_inventory: 2,
  no_stock_anywhere: 1,
};

export interface LegacyShop {
  goods: GoodsDb;
  inventory: InventoryDb;
  databases: { goods: TestDatabase; inventory: TestDatabase };
  close(): Promise<void>;
}

/**
 * Both databases as an existing shop brings them: goods at the legacy migration
 * (`until`, default 0002) with goods.stocks values, inventory at its latest
 * migration and drifted. With `urls`, the databases are the caller's to drop.
 */
export async function createLegacyShop(
  label: string,
  urls?: { goods: string; inventory: string },
  until = LEGACY_GOODS_MIGRATION,
): Promise<LegacyShop> {
  const databases = {
    goods: urls ? { url: urls.goods, drop: async () => undefined } : await createTestDatabase(`${label}_goods`),
    inventory: urls ? { url: urls.inventory, drop: async () => undefined } : await createTestDatabase(`${label}_inv`),
  };
  const goods = await openGoodsDb({ url: databases.goods.url });
  const inventory = await openInventoryDb({ url: databases.inventory.url });
  await migrate(goods.sql, "goods", { until });
  await migrate(inventory.sql, "inventory");
  await goods.sql.exec(`
    INSERT INTO category (id, name, level) VALUES (1, 'Fresh Food', 1);
    INSERT INTO brand (id, name) VALUES (1, 'Acme');`);
  for (const [id, [legacy]] of Object.entries(LEGACY_GOODS)) {
    await goods.sql.query(
      `INSERT INTO goods (id, goods_sn, name, brief, market_price, shop_price, front_image, category_id, brand_id, stocks)
       VALUES ($1, $2, $3, 'legacy goods', 10, 9, 'https://img.example/g.jpg', 1, 1, $4)`,
      [Number(id), `SN${id}`, `Goods ${id}`, legacy],
    );
  }
  const rows = [
    ...Object.entries(LEGACY_GOODS).flatMap(([id, [, stocks]]) =>
      stocks === undefined ? [] : [{ goodsId: Number(id), stocks }],
    ),
    ...Object.entries(ORPHANS).map(([id, stocks]) => ({ goodsId: Number(id), stocks })),
  ];
  await importStocks(inventory, rows, { reason: "legacy inventory", actor: "fixture" });
  return {
    goods,
    inventory,
    databases,
    async close() {
      await goods.close();
      await inventory.close();
      await databases.goods.drop();
      await databases.inventory.drop();
    },
  };
}

/** Every row of every table, to prove that something changed nothing. */
export async function snapshot(sql: SqlClient) {
  const tables = await sql.query<{ tablename: string }>(
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
  );
  const contents: Record<string, unknown[]> = {};
  for (const { tablename } of tables) {
    contents[tablename] = await sql.query(`SELECT * FROM "${tablename}" ORDER BY 1`);
  }
  return contents;
}

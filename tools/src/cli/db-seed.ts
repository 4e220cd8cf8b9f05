// `npm run db:seed`: migrates, then loads the deterministic demo catalog and its
// inventory rows. Safe to re-run: rows carry fixed ids and existing ones are kept.
import { openGoodsDb } from "@emshop/db/goods";
import { openInventoryDb } from "@emshop/db/inventory";
import { migrate } from "@emshop/db/migrate";
import { seedGoods } from "@emshop/db/seed/seed-goods";
import { seedInventory } from "@emshop/db/seed/seed-inventory";
import { toolDatabases } from "../database-config";

async function main() {
  const databases = toolDatabases("db:seed", process.env, { poolSize: 1 });
  const goods = await openGoodsDb(databases.goods);
  try {
    await migrate(goods.sql, "goods", { log: console.log });
    console.log(`[goods] ${goods.location}: ${JSON.stringify(await seedGoods(goods))}`);
  } finally {
    await goods.close();
  }
  const inventory = await openInventoryDb(databases.inventory);
  try {
    await migrate(inventory.sql, "inventory", { log: console.log });
    console.log(`[inventory] ${inventory.location}: ${JSON.stringify(await seedInventory(inventory))}`);
  } finally {
    await inventory.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

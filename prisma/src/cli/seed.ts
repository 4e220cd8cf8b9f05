// `npm run db:seed`: migrates, then loads the deterministic demo catalog and its
// inventory rows. Safe to re-run: rows carry fixed ids and existing ones are kept.
import { openGoodsDb } from "../goods";
import { openInventoryDb } from "../inventory";
import { migrate } from "../migrate";
import { seedGoods } from "../seed/seed-goods";
import { seedInventory } from "../seed/seed-inventory";

async function main() {
  const goods = await openGoodsDb();
  try {
    await migrate(goods.sql, "goods", { log: console.log });
    console.log(`[goods] ${goods.location}: ${JSON.stringify(await seedGoods(goods))}`);
  } finally {
    await goods.close();
  }
  const inventory = await openInventoryDb();
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

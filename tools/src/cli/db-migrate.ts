// `npm run db:migrate`: applies pending migrations to both databases, as configured
// for the services (GOODS_DATABASE_URL / INVENTORY_DATABASE_URL, else embedded PGlite).
import { openGoodsDb } from "@emshop/db/goods";
import { openInventoryDb } from "@emshop/db/inventory";
import { migrate } from "@emshop/db/migrate";
import { toolDatabases } from "../database-config";

// Each database is migrated even when the other fails: on a legacy shop the goods
// migrations stop at 0003 (it waits for `npm run stocks:reconcile -- --apply`),
// and that tool needs the inventory database at its latest migration.
async function main() {
  let failed = false;
  const databases = toolDatabases("db:migrate", process.env, { poolSize: 1 });
  for (const [name, open] of [
    ["goods", () => openGoodsDb(databases.goods)],
    ["inventory", () => openInventoryDb(databases.inventory)],
  ] as const) {
    try {
      const db = await open();
      try {
        const applied = await migrate(db.sql, name, { log: console.log });
        console.log(`[${name}] ${db.location}: ${applied.length ? `${applied.length} applied` : "up to date"}`);
      } finally {
        await db.close();
      }
    } catch (error) {
      failed = true;
      console.error(`[${name}] ${error instanceof Error ? error.message : error}`);
    }
  }
  if (failed) process.exitCode = 1;
}

await main();

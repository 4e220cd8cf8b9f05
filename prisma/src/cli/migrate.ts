// `npm run db:migrate`: applies pending migrations to both databases, as configured
// for the services (GOODS_DATABASE_URL / INVENTORY_DATABASE_URL, else embedded PGlite).
import { openGoodsDb } from "../goods";
import { openInventoryDb } from "../inventory";
import { migrate } from "../migrate";

async function main() {
  for (const [name, open] of [
    ["goods", openGoodsDb],
    ["inventory", openInventoryDb],
  ] as const) {
    const db = await open();
    try {
      const applied = await migrate(db.sql, name, { log: console.log });
      console.log(`[${name}] ${db.location}: ${applied.length ? `${applied.length} applied` : "up to date"}`);
    } finally {
      await db.close();
    }
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

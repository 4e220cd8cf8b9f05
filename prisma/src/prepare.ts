import type { GoodsDb } from "./goods";
import type { InventoryDb } from "./inventory";
import { migrate } from "./migrate";
import { isGoodsDbEmpty, seedGoods } from "./seed/seed-goods";
import { isInventoryDbEmpty, seedInventory } from "./seed/seed-inventory";

export interface PrepareOptions {
  log?: (line: string) => void;
  /** Load the demo data into an empty embedded database (default true; tests turn it off). */
  demoData?: boolean;
}

/**
 * What a service does with its database at start: apply pending migrations,
 * and on the embedded default only, load the demo data the first time so that
 * `npm start` on a fresh clone has a shop to browse. PostgreSQL is never
 * seeded implicitly: that is a real shop's data.
 */
export async function prepareGoodsDb(db: GoodsDb, { log = console.log, demoData = true }: PrepareOptions = {}) {
  await migrate(db.sql, "goods", { log });
  if (demoData && db.kind === "pglite" && (await isGoodsDbEmpty(db)))
    log(`[goods] seeded ${JSON.stringify(await seedGoods(db))}`);
}

export async function prepareInventoryDb(db: InventoryDb, { log = console.log, demoData = true }: PrepareOptions = {}) {
  await migrate(db.sql, "inventory", { log });
  if (demoData && db.kind === "pglite" && (await isInventoryDbEmpty(db))) {
    log(`[inventory] seeded ${JSON.stringify(await seedInventory(db))}`);
  }
}

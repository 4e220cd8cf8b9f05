import { openInventoryDb } from "@emshop/db/inventory";
import { migrate } from "@emshop/db/migrate";
import { importStockRows } from "@emshop/db/stock-import";
import { createBenchDatabase } from "../bench-database";
import { onCleanup } from "../catalog/cleanup";

/** Far more than any run sells: the throughput phases measure sells, never refusals. */
export const UNLIMITED_STOCK = 2_000_000_000;

/**
 * A migrated throwaway inventory database with the goods in stock (one IMPORT
 * ledger row each, so the ledger invariant holds from the start), dropped at
 * cleanup. Closed again: only the services (or the in-process phase) hold connections.
 */
export async function stockedDatabase(label: string, stocks: { goodsId: number; stocks: number }[]) {
  const database = await createBenchDatabase(label);
  onCleanup(`drop ${database.name}`, database.drop);
  const db = await openInventoryDb({ url: database.url });
  try {
    await migrate(db.sql, "inventory", { log: () => undefined });
    await importStockRows(db.sql, stocks, { reason: "bench:flash" });
  } finally {
    await db.close();
  }
  return database;
}

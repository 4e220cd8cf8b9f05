import type { SqlClient } from "@emshop/db/sql-client";
import { missingTables } from "../reconcile/read-batches";
import { type ImportState, readState } from "./bookkeeping";
import { ImportError, messageOf } from "./errors";

const GOODS_TABLES = ["category", "brand", "category_brand", "banner", "goods", "legacy_stock_backup"];
const INVENTORY_TABLES = ["inventory", "stock_movement", "stock_sell"];

/** A target read; anything failing here is the target database, not a row (TARGET_FAILED). */
export async function targetRead<T>(database: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof ImportError) throw error;
    throw new ImportError("TARGET_FAILED", `the ${database} database: ${messageOf(error)}`, { cause: error });
  }
}

const holdsRows = async (sql: SqlClient, tables: string[]) =>
  (
    await sql.query<{ name: string }>(
      tables.map((table) => `SELECT '${table}' AS name WHERE EXISTS (SELECT 1 FROM ${table})`).join(" UNION ALL "),
    )
  ).map((row) => `${row.name}`);

/**
 * What must hold before a run reads anything: both targets migrated (this
 * release's tables exist), and either marked by an earlier apply or empty, so
 * the import never merges emshop's ids into rows someone else wrote (an
 * embedded database the services filled with demo data, another shop).
 * Returns the recorded state (null before the first apply).
 */
export async function checkTarget(goods: SqlClient, inventory: SqlClient): Promise<ImportState | null> {
  return targetRead("target", async () => {
    const missing = [
      ...(await missingTables(goods, GOODS_TABLES)).map((table) => `goods database: ${table}`),
      ...(await missingTables(inventory, INVENTORY_TABLES)).map((table) => `inventory database: ${table}`),
    ];
    if (missing.length > 0)
      throw new ImportError(
        "TARGET_NOT_MIGRATED",
        `the target databases are not migrated (missing ${missing.join(", ")}): run \`npm run db:migrate\` first`,
      );
    const state = await readState(goods);
    if (state) return state;
    const filled = [
      ...(await holdsRows(goods, GOODS_TABLES.slice(0, 5))).map((table) => `goods.${table}`),
      ...(await holdsRows(inventory, ["inventory", "stock_sell"])).map((table) => `inventory.${table}`),
    ];
    if (filled.length > 0)
      throw new ImportError(
        "TARGET_NOT_EMPTY",
        `the target already holds rows no emshop import wrote (${filled.join(", ")}): import into fresh, migrated ` +
          "databases (with the embedded default, start the services with DEMO_DATA=false or not at all before the import)",
      );
    return null;
  });
}

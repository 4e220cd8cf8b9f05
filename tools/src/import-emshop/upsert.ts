import type { SqlClient } from "@emshop/db/sql-client";

/** One target column: its JSON record type, and how the value becomes the column's (default: as is). */
export interface UpsertColumn {
  name: string;
  type: string;
  value?: string;
}

/**
 * `INSERT … SELECT FROM jsonb_to_recordset($1) … ON CONFLICT (key) DO UPDATE`:
 * a whole batch in one statement and one round trip, whatever its size, with
 * the ids the rows bring (emshop's, preserved). Rows go in key order, the
 * order every writer locks in.
 */
export function upserter<Row>(table: string, key: string, columns: UpsertColumn[], toRecord: (row: Row) => object) {
  const names = columns.map((column) => `"${column.name}"`).join(", ");
  const values = columns.map((column) => column.value ?? `r."${column.name}"`).join(", ");
  const types = columns.map((column) => `"${column.name}" ${column.type}`).join(", ");
  const updates = columns
    .filter((column) => column.name !== key)
    .map((column) => `"${column.name}" = EXCLUDED."${column.name}"`)
    .join(", ");
  const statement = `INSERT INTO ${table} (${names})
    SELECT ${values} FROM jsonb_to_recordset($1::jsonb) AS r(${types}) ORDER BY r."${key}"
    ON CONFLICT ("${key}") DO UPDATE SET ${updates}`;
  return async (sql: SqlClient, rows: Row[]) => {
    if (rows.length > 0) await sql.query(statement, [JSON.stringify(rows.map(toRecord))]);
  };
}

import type { SqlClient } from "@emshop/db/sql-client";
import type { TargetTable } from "./target-tables";

/** A batch of mapped rows against the target: what an apply writes, and what it leaves alone. */
export interface Compared<Row> {
  insert: Row[];
  update: Row[];
  unchanged: number;
}

/**
 * One lookup of the batch's keys in the target, then a comparison of the
 * canonical text of each row: the same answer for a dry run ("would insert /
 * would update") and for an apply, which writes only `insert` and `update`, so
 * a second run finds everything unchanged and writes nothing.
 */
export async function compareWithTarget<Row, Key extends number | string>(
  sql: SqlClient,
  table: TargetTable<Row, Key>,
  rows: Row[],
): Promise<Compared<Row>> {
  const existing = await table.fetch(
    sql,
    rows.map((row) => table.keyOf(row)),
  );
  const compared: Compared<Row> = { insert: [], update: [], unchanged: 0 };
  for (const row of rows) {
    const current = existing.get(table.keyOf(row));
    if (!current) compared.insert.push(row);
    else if (table.canonical(current) !== table.canonical(row)) compared.update.push(row);
    else compared.unchanged++;
  }
  return compared;
}

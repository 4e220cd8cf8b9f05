import type { SqlClient } from "@emshop/db/sql-client";
import { ImportError, isRowDataError, messageOf } from "./errors";

/** A row the target database refused (a constraint no mapper rule foresaw), with its message. */
export interface RejectedRow {
  key: number | string;
  error: string;
}

/** Runs `work` in one transaction of `database`; anything but a row-data error stops the run (TARGET_FAILED). */
export async function inTransaction<T>(database: string, sql: SqlClient, work: (tx: SqlClient) => Promise<T>) {
  try {
    return await sql.transaction(work);
  } catch (error) {
    if (error instanceof ImportError || isRowDataError(error)) throw error;
    throw new ImportError("TARGET_FAILED", `the ${database} database: ${messageOf(error)}`, { cause: error });
  }
}

/**
 * Writes a batch in one transaction: all of it or nothing, so an interrupted
 * run leaves whole batches only and a re-run completes it. If the database
 * refuses the batch because of the data of some row (a unique value two
 * repaired names now share, say), the batch is written again row by row, each
 * in its own transaction, and the refused rows are reported instead of
 * stopping the run half-way.
 */
export async function writeBatch<Row>(
  database: string,
  sql: SqlClient,
  rows: Row[],
  keyOf: (row: Row) => number | string,
  write: (tx: SqlClient, rows: Row[]) => Promise<unknown>,
): Promise<RejectedRow[]> {
  if (rows.length === 0) return [];
  try {
    await inTransaction(database, sql, (tx) => write(tx, rows));
    return [];
  } catch (error) {
    if (!isRowDataError(error)) throw error;
  }
  const rejected: RejectedRow[] = [];
  for (const row of rows) {
    try {
      await inTransaction(database, sql, (tx) => write(tx, [row]));
    } catch (error) {
      if (!isRowDataError(error)) throw error;
      rejected.push({ key: keyOf(row), error: messageOf(error) });
    }
  }
  return rejected;
}

import type { SqlClient } from "./sql-client";

/** The two timeouts a server connection runs with, in milliseconds (0: none). */
export interface SessionTimeouts {
  statementTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
}

/**
 * The timeouts of the server connection this query lands on: whatever set them
 * (startup parameters, `ALTER ROLE/DATABASE … SET`, PgBouncer's `connect_query`).
 * pg_settings gives both in milliseconds.
 */
export async function readSessionTimeouts(sql: Pick<SqlClient, "query">): Promise<SessionTimeouts> {
  const rows = await sql.query<{ name: string; setting: string }>(
    "SELECT name, setting FROM pg_settings WHERE name IN ('statement_timeout', 'idle_in_transaction_session_timeout')",
  );
  const value = (name: string) => Number(rows.find((row) => row.name === name)?.setting ?? Number.NaN);
  return {
    statementTimeoutMs: value("statement_timeout"),
    idleInTransactionTimeoutMs: value("idle_in_transaction_session_timeout"),
  };
}

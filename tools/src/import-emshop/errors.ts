/**
 * Every way the import can stop, as a stable code: the CLI prints
 * `[CODE] message`, `--json` carries `code`, and the exit code is 1. A row that
 * breaks a rule is never one of these: it is reported and skipped (problems.ts).
 */
export const IMPORT_ERROR_CODES = [
  /** EMSHOP_GOODS_MYSQL_URL / EMSHOP_INVENTORY_MYSQL_URL missing or not mysql://… (exit 2, like a bad option). */
  "SOURCE_URL_INVALID",
  /** The MySQL/MariaDB server did not accept the connection. Nothing was written. */
  "SOURCE_UNREACHABLE",
  /** A source table or column the import reads is missing: not an emshop database? Nothing was written. */
  "SOURCE_SCHEMA",
  /** The source connection failed during the run; every batch written so far is complete. */
  "SOURCE_CONNECTION_LOST",
  /** A target database could not be reached. Nothing was written. */
  "TARGET_UNREACHABLE",
  /** The target lacks tables of this release: `npm run db:migrate` first. Nothing was written. */
  "TARGET_NOT_MIGRATED",
  /** The target holds rows that no emshop import wrote (e.g. demo data). Nothing was written. */
  "TARGET_NOT_EMPTY",
  /** A target write failed for a reason other than the row itself (connection, timeout…). */
  "TARGET_FAILED",
  /** --verify before any completed --apply: there is nothing to compare with. */
  "NOT_IMPORTED",
  /** The testing-only --fail-after-batches stopped the run. */
  "INJECTED_FAILURE",
] as const;

export type ImportErrorCode = (typeof IMPORT_ERROR_CODES)[number];

export class ImportError extends Error {
  override name = "ImportError";
  constructor(
    readonly code: ImportErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The message of anything thrown, for error texts. */
export const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Whether a PostgreSQL error is about the data of the rows written (SQLSTATE
 * class 22 "data exception" or 23 "integrity constraint violation"): then the
 * batch is retried row by row and the offending rows are reported. Anything
 * else (connection lost, timeout, missing table) stops the run.
 */
export function isRowDataError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && /^2[23][0-9A-Z]{3}$/.test(code);
}

/**
 * Whether an error means "the database could not be reached, or the
 * connection to it broke": the kind of failure a failover, a restarting
 * server or a pooler in between causes for a few seconds, after which the
 * same request succeeds. formatError (./format-error.ts) answers such errors
 * with DATABASE_UNAVAILABLE and `retryable: true` instead of a bare
 * INTERNAL_SERVER_ERROR.
 *
 * The errors come in several shapes, all recognised here by their data (no
 * driver classes are imported, so it works for both generated Prisma clients
 * and the raw pg client alike):
 * - node-postgres: a `DatabaseError` with the server's SQLSTATE in `code`,
 *   a socket `Error` with an errno `code` (ECONNREFUSED, ECONNRESET, …), or a
 *   plain `Error` with one of pg's own connection messages ("Connection
 *   terminated unexpectedly", the pool's "timeout exceeded when trying to connect");
 * - Prisma 7 with @prisma/adapter-pg: a PrismaClientKnownRequestError whose
 *   `meta.driverAdapterError.cause` carries the adapter's `kind`
 *   (DatabaseNotReachable, ConnectionClosed, SocketTimeout, TooManyConnections)
 *   or the SQLSTATE (`originalCode`), with a P1001/P1017/P2024/… code; or pg's plain
 *   error passed through (the adapter rethrows errors it cannot map), or a
 *   PrismaClientUnknownRequestError / PrismaClientInitializationError naming one in its message.
 */

/** SQLSTATE classes and codes of a lost or refused connection. */
const SQLSTATE_CLASSES = ["08"]; // connection_exception: 08000, 08003, 08006, 08001, 08004, 08P01 (PgBouncer's own errors)
const SQLSTATES = new Set([
  "57P01", // admin_shutdown: "terminating connection due to administrator command" (pg_terminate_backend, a fast shutdown)
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now: starting up, shutting down, in recovery
  "53300", // too_many_connections: the server's slots are taken for now (a failover's reconnect storm)
  "25006", // read_only_sql_transaction: a write reached a demoted primary (now a standby) right after a failover
]);

/** Node's socket and DNS errnos of a connection that could not be made or broke. */
const ERRNOS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/** Prisma's error codes for the same (with driver adapters: P1001 DatabaseNotReachable, P1017 ConnectionClosed, …). */
const PRISMA_CODES = new Set([
  "P1001", // can't reach database server
  "P1002", // reached, but timed out
  "P1008", // operations timed out (SocketTimeout)
  "P1017", // server has closed the connection
  "P2024", // timed out fetching a new connection from the pool
  "P2037", // too many database connections opened
]);

/** @prisma/adapter-pg's error kinds for the same. */
const ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);

/** node-postgres's own messages (no SQLSTATE, no errno) for a connection that broke or could not be had. */
const PG_MESSAGES =
  /Connection terminated unexpectedly|Connection terminated due to connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error and is not queryable|Can't reach database server/;

type Fields = {
  code?: unknown;
  errno?: unknown;
  message?: unknown;
  name?: unknown;
  kind?: unknown;
  originalCode?: unknown;
  errorCode?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: unknown };
  errors?: unknown;
};

const isSqlState = (code: unknown): code is string =>
  typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) && !ERRNOS.has(code);

const unavailableSqlState = (code: unknown) =>
  isSqlState(code) && (SQLSTATES.has(code) || SQLSTATE_CLASSES.includes(code.slice(0, 2)));

/** Prisma's errors carry their P-code in `code` (known request errors) or `errorCode` (initialization errors). */
const isPrismaError = (error: Fields) => typeof error.name === "string" && error.name.startsWith("PrismaClient");

function classify(value: unknown, depth: number): boolean {
  if (depth > 6 || value === null || typeof value !== "object") return false;
  const error = value as Fields;
  if (unavailableSqlState(error.originalCode)) return true;
  if (typeof error.code === "string") {
    if (ERRNOS.has(error.code)) return true;
    if (isPrismaError(error) && PRISMA_CODES.has(error.code)) return true;
    // A SQLSTATE in `code`: pg's DatabaseError, or the adapter's `{ kind: "postgres", code }`.
    if (!isPrismaError(error) && unavailableSqlState(error.code)) return true;
  }
  if (isPrismaError(error) && typeof error.errorCode === "string" && PRISMA_CODES.has(error.errorCode)) return true;
  if (typeof error.kind === "string" && ADAPTER_KINDS.has(error.kind)) return true;
  if (typeof error.message === "string" && PG_MESSAGES.test(error.message)) return true;
  // Where the underlying error is kept: Prisma's meta.driverAdapterError (with its own cause), Error.cause,
  // and AggregateError (a host name that resolves to several addresses, each refused).
  if (classify(error.meta?.driverAdapterError, depth + 1)) return true;
  if (classify(error.cause, depth + 1)) return true;
  if (Array.isArray(error.errors) && error.errors.some((inner) => classify(inner, depth + 1))) return true;
  return false;
}

/** Whether `error` says the database could not be reached or the connection to it broke. */
export const isDatabaseUnavailable = (error: unknown): boolean => classify(error, 0);

/**
 * The SQLSTATE behind an error, whichever driver raised it (pg's `code`, the
 * Prisma adapter's `originalCode`), or undefined.
 */
export function sqlStateOf(error: unknown): string | undefined {
  for (let value: unknown = error, depth = 0; value && typeof value === "object" && depth < 6; depth++) {
    const fields = value as Fields;
    if (isSqlState(fields.originalCode)) return fields.originalCode;
    if (!isPrismaError(fields) && isSqlState(fields.code)) return fields.code;
    const adapter = fields.meta?.driverAdapterError as Fields | undefined;
    value = adapter?.cause ?? fields.cause;
  }
  return undefined;
}

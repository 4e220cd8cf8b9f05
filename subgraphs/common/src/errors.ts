import { INT32_MAX } from "@emshop/db/int32";
import { GraphQLError } from "graphql";

/** Error codes clients can rely on (in `extensions.code`), besides Apollo's built-in ones. */
export const ErrorCode = {
  BadUserInput: "BAD_USER_INPUT",
  NotFound: "NOT_FOUND",
  Conflict: "CONFLICT",
  InUse: "IN_USE",
  Internal: "INTERNAL_SERVER_ERROR",
  DatabaseUnavailable: "DATABASE_UNAVAILABLE",
} as const;

/**
 * The message of DATABASE_UNAVAILABLE: says what to do, names nothing of the
 * database (no host, URL or driver message).
 */
export const DATABASE_UNAVAILABLE_MESSAGE = "The database is unavailable right now; retry the request";

/**
 * The extensions of an error caused by the database being unreachable or the
 * connection breaking (see ./database-unavailable.ts). `retryable: true`: the
 * same request may be sent again; writes are idempotent per orderSn/requestId.
 */
export const databaseUnavailableExtensions = () => ({ code: ErrorCode.DatabaseUnavailable, retryable: true }) as const;

/** Invalid input; `field` names the argument or input field at fault (e.g. `input.name`). */
export function badUserInput(field: string, message: string, extra: Record<string, unknown> = {}) {
  return new GraphQLError(`${field}: ${message}`, {
    extensions: { code: ErrorCode.BadUserInput, field, ...extra },
  });
}

export function notFound(entity: string, id: string | number) {
  return new GraphQLError(`${entity} ${id} does not exist`, {
    extensions: { code: ErrorCode.NotFound, entity, id: String(id) },
  });
}

export function coded(code: string, message: string, extra: Record<string, unknown> = {}) {
  return new GraphQLError(message, { extensions: { code, ...extra } });
}

/** Largest GraphQL Int and PostgreSQL INTEGER: ids, stocks and deltas must fit. */
export { INT32_MAX } from "@emshop/db/int32";

/** The row id a GraphQL `ID` names (a positive int32 in decimal), or null when it names none. */
export function rowIdOrNull(value: string | number): number | null {
  const text = String(value).trim();
  const id = /^\d{1,10}$/.test(text) ? Number(text) : Number.NaN;
  return Number.isInteger(id) && id >= 1 && id <= INT32_MAX ? id : null;
}

/** Parses a GraphQL `ID` argument that must name a database row; BAD_USER_INPUT otherwise. */
export function parseId(value: string | number, field = "id"): number {
  const id = rowIdOrNull(value);
  if (id === null) throw badUserInput(field, `"${String(value)}" is not a valid id (a positive integer)`);
  return id;
}

import { coded, ErrorCode } from "@emshop/common/errors";

/**
 * A unique value already taken. CONFLICT rather than BAD_USER_INPUT: the input is
 * well-formed, it clashes with the current data (and a concurrent write that wins
 * the unique index yields the same code). `field` still names the input at fault.
 */
export const conflict = (field: string, message: string, extra: Record<string, unknown> = {}) =>
  coded(ErrorCode.Conflict, `${field}: ${message}`, { field, ...extra });

/** Refuses to delete a row other rows still point at; `usedBy` counts them by kind. */
export function inUse(entity: string, id: number, usedBy: Record<string, number> = {}) {
  const users = Object.entries(usedBy)
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => `${count} ${kind}`);
  const what = users.length > 0 ? users.join(", ") : "other rows";
  return coded(ErrorCode.InUse, `${entity} ${id} cannot be deleted: it is still used by ${what}`, {
    entity,
    id: String(id),
    usedBy,
  });
}

export const isUsed = (usedBy: Record<string, number>) => Object.values(usedBy).some((count) => count > 0);

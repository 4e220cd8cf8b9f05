import { randomUUID } from "node:crypto";

/**
 * An incoming `x-request-id` is kept when it looks like an id (UUIDs, ULIDs,
 * trace ids, a load balancer's `Root=1-…`): 1–128 characters without spaces or
 * quotes. Anything else (empty, huge, control characters, JSON) is replaced by
 * a fresh one, so a caller cannot forge log structure or flood lines through it.
 */
const SANE_REQUEST_ID = /^[A-Za-z0-9._~:=+/@-]{1,128}$/;

export const REQUEST_ID_HEADER = "x-request-id";

/** The caller's id if sane, else a new UUID. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && SANE_REQUEST_ID.test(value) ? value : randomUUID();
}

import { badUserInput, INT32_MAX } from "@emshop/common/errors";

/** Length in characters (code points), as PostgreSQL's VARCHAR(n) counts them. */
const length = (value: string) => [...value].length;

/** A trimmed string of `min`–`max` characters. */
export function text(field: string, value: string, min: number, max: number): string {
  const trimmed = value.trim();
  if (length(trimmed) < min || length(trimmed) > max) {
    throw badUserInput(field, `must be ${min}–${max} characters, got ${length(trimmed)}`, { min, max });
  }
  return trimmed;
}

// DECIMAL(12, 2) holds at most ten digits before the point.
const MAX_PRICE = 9_999_999_999.99;

export function price(field: string, value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > MAX_PRICE) {
    throw badUserInput(field, `must be a finite number from 0 to ${MAX_PRICE}, got ${value}`);
  }
  return value;
}

export const MAX_URL_LENGTH = 200;

/** An absolute http(s) URL of at most 200 characters (the column width). */
export function httpUrl(field: string, value: string): string {
  const trimmed = value.trim();
  if (length(trimmed) > MAX_URL_LENGTH) {
    throw badUserInput(field, `must be at most ${MAX_URL_LENGTH} characters`, { max: MAX_URL_LENGTH });
  }
  const url = URL.canParse(trimmed) ? new URL(trimmed) : undefined;
  if (url?.protocol !== "http:" && url?.protocol !== "https:") {
    throw badUserInput(field, `must be an http(s) URL, got "${value}"`);
  }
  return trimmed;
}

export const httpUrls = (field: string, values: readonly string[]) =>
  values.map((value, index) => httpUrl(`${field}[${index}]`, value));

/** A whole number of at least `min`. */
export function integer(field: string, value: number, min: number, max = INT32_MAX): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw badUserInput(field, `must be a whole number from ${min} to ${max}, got ${value}`, { min, max });
  }
  return value;
}

/**
 * For partial updates: `undefined` (field omitted) means "leave unchanged", but an
 * explicit null cannot be stored in a NOT NULL column, so it is refused rather than ignored.
 */
export function optional<In, Out>(field: string, value: In | null | undefined, check: (value: In) => Out) {
  if (value === undefined) return undefined;
  if (value === null) throw badUserInput(field, "must not be null; omit it to leave it unchanged");
  return check(value);
}

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

// DECIMAL(12, 2) holds at most ten digits before the point, and two after it.
const MAX_PRICE = 9_999_999_999.99;
const PRICE_DECIMALS = 2;

/** Digits after the point in the shortest decimal that reads back as `value` (1e-7 has 7). */
function decimalsOf(value: number): number {
  const [mantissa = "", exponent = "0"] = String(value).split("e");
  const fraction = mantissa.split(".")[1]?.length ?? 0;
  return Math.max(0, fraction - Number(exponent));
}

/**
 * A price the column stores exactly: 0.001 would be rounded to 0.00 by
 * PostgreSQL without a word, so more than two decimals are refused. -0 is the
 * same amount as 0 and is stored as 0.
 */
export function price(field: string, value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > MAX_PRICE) {
    throw badUserInput(field, `must be a finite number from 0 to ${MAX_PRICE}, got ${value}`);
  }
  if (decimalsOf(value) > PRICE_DECIMALS) {
    throw badUserInput(
      field,
      `must have at most ${PRICE_DECIMALS} decimals (the price is stored in cents), got ${value}`,
    );
  }
  return value === 0 ? 0 : value;
}

/** At most `max` items: a list argument is stored as one row's column, and must stay a sane size. */
export function listOf<T>(field: string, values: readonly T[], max: number): readonly T[] {
  if (values.length > max) throw badUserInput(field, `must have at most ${max} items, got ${values.length}`, { max });
  return values;
}

/** Free text of at most `max` characters (not trimmed: the author's formatting is kept). */
export function longText(field: string, value: string, max: number): string {
  const size = length(value);
  if (size > max) throw badUserInput(field, `must be at most ${max} characters, got ${size}`, { max });
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

/** Most pictures a goods may list (gallery and description each). */
export const MAX_IMAGES = 50;

export const httpUrls = (field: string, values: readonly string[]) =>
  listOf(field, values, MAX_IMAGES).map((value, index) => httpUrl(`${field}[${index}]`, value));

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

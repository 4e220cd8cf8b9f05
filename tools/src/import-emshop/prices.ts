import { price } from "@emshop/goods/validation/fields";
import type { RowChecks } from "./problems";

/**
 * The amount a source price stands for. emshop keeps prices in FLOAT columns
 * (float32): 12.34 is stored as 12.340000152…, and MariaDB even prints only
 * six significant digits (12345.67 reads back as "12345.7"). So the value is
 * read exactly (`col + 0`, a double holding the float32) and taken as the
 * amount in cents whose float32 it is: 12.340000152… is 12.34. A float32 that
 * no amount in cents rounds to (9.99899959… is 9.999) has more than two
 * decimals. DOUBLE or DECIMAL columns (a shop that changed the type) are
 * compared exactly instead.
 */
export function centsOf(value: number, columnType: string): { cents: number; exact: boolean } {
  const cents = Math.round(value * 100);
  const candidate = cents / 100;
  const exact =
    columnType === "float" ? Math.fround(candidate) === Math.fround(value) : Math.abs(candidate - value) < 1e-9;
  return { cents, exact };
}

/**
 * One price column mapped with the project's own price rule (validation/fields:
 * 0 to 9,999,999,999.99, at most 2 decimals); returns the amount as the text
 * PostgreSQL's DECIMAL(12, 2) prints ("12.30"), or null when the row cannot be
 * imported. A negative price is repaired to 0 with the goods off sale (the
 * caller takes it off sale when `negative` is set).
 */
export function mapPrice(
  checks: RowChecks,
  field: string,
  raw: unknown,
  columnType: string,
): { amount: string | null; negative: boolean } {
  const value = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : Number.NaN;
  if (!Number.isFinite(value)) {
    checks.fail("price_invalid", field, `${field}: must be a number, got ${JSON.stringify(raw)}`);
    return { amount: null, negative: false };
  }
  const { cents, exact } = centsOf(value, columnType);
  if (value < 0)
    return {
      amount: checks.fix("price_negative", field, `${field}: must be >= 0, got ${value}`, "0.00"),
      negative: true,
    };
  let amount = cents / 100;
  if (!exact)
    amount = checks.fix(
      "price_too_precise",
      field,
      `${field}: must have at most 2 decimals (the price is stored in cents), got ${value}`,
      amount,
    );
  try {
    return { amount: price(field, amount).toFixed(2), negative: false };
  } catch (error) {
    checks.fail("price_too_large", field, (error as Error).message);
    return { amount: null, negative: false };
  }
}

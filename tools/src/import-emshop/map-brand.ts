import { httpUrl, text } from "@emshop/goods/validation/fields";
import { charLength, type Mapped, RowChecks, truncate, validationMessage } from "./problems";
import type { SourceBrand } from "./source-rows";
import type { BrandRow } from "./target-rows";

const NAME_MAX = 50; // brand.name VARCHAR(50), unique

/**
 * One emshop brand, by the rules of createBrand (validation/catalog
 * validateBrand): a name of 1–50 characters, unique here (emshop does not
 * require that: `keeperOf` names the live brand with the lowest id per name),
 * and a logo that is empty or an http(s) URL.
 */
export function mapBrand(
  row: SourceBrand,
  keeperOf: (name: string) => number | undefined,
  repair: boolean,
): Mapped<BrandRow> {
  const checks = new RowChecks(repair);
  const trimmed = (row.name ?? "").trim();
  let name = trimmed;
  const nameMessage = validationMessage(() => text("name", trimmed, 1, NAME_MAX));
  if (nameMessage && charLength(trimmed) === 0) checks.fail("name_empty", "name", nameMessage);
  else if (nameMessage) name = checks.fix("name_too_long", "name", nameMessage, truncate(trimmed, NAME_MAX));
  const keeper = keeperOf(trimmed);
  if (keeper !== undefined && keeper !== row.id) {
    const suffix = ` (${row.id})`;
    name = checks.fix(
      "brand_name_duplicate",
      "name",
      `brand ${keeper} already has the name "${trimmed}"`,
      `${truncate(name, NAME_MAX - suffix.length)}${suffix}`,
    );
  }
  const rawLogo = (row.logo ?? "").trim();
  let logo = rawLogo;
  const logoMessage = rawLogo === "" ? null : validationMessage(() => httpUrl("logo", rawLogo));
  if (logoMessage) logo = checks.fix("logo_invalid", "logo", logoMessage, "");
  return checks.result({ id: row.id, name, logo });
}

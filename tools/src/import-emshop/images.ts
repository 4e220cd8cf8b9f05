import { httpUrl, MAX_IMAGES } from "@emshop/goods/validation/fields";
import { type RowChecks, validationMessage } from "./problems";

/**
 * emshop's images / desc_images: a JSON list of URLs in a VARCHAR(1000)
 * (gorm's GormList). Each entry must pass the project's URL rule
 * (validation/fields httpUrl); the list holds at most MAX_IMAGES entries.
 */
export function mapImages(checks: RowChecks, field: string, raw: unknown): string[] {
  const text = raw === null || raw === undefined ? "" : String(raw);
  let parsed: unknown;
  try {
    parsed = text.trim() === "" ? [] : JSON.parse(text);
  } catch (error) {
    return checks.fix("images_not_json", field, `${field}: not valid JSON (${(error as Error).message})`, []);
  }
  if (parsed === null) parsed = []; // json.Marshal of a nil GormList
  if (!Array.isArray(parsed) || !parsed.every((entry) => typeof entry === "string"))
    return checks.fix("images_not_a_list", field, `${field}: must be a JSON list of strings`, []);
  let urls: string[] = [];
  parsed.forEach((entry: string, index) => {
    const message = validationMessage(() => httpUrl(`${field}[${index}]`, entry));
    if (message === null) urls.push(entry.trim());
    else checks.fix("image_invalid", `${field}[${index}]`, message, undefined);
  });
  if (urls.length > MAX_IMAGES)
    urls = checks.fix(
      "too_many_images",
      field,
      `${field}: must have at most ${MAX_IMAGES} items, got ${urls.length}`,
      urls.slice(0, MAX_IMAGES),
    );
  return urls;
}

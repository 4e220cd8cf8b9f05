import { httpUrl } from "@emshop/goods/validation/fields";
import { type Mapped, RowChecks, validationMessage } from "./problems";
import type { SourceBanner } from "./source-rows";
import type { BannerRow } from "./target-rows";

/** One emshop banner, by the rules of createBanner (validation/catalog validateBanner). */
export function mapBanner(row: SourceBanner, repair: boolean): Mapped<BannerRow> {
  const checks = new RowChecks(repair);
  const image = (row.image ?? "").trim();
  const url = (row.url ?? "").trim();
  const imageMessage = validationMessage(() => httpUrl("image", image));
  if (imageMessage) checks.fail("banner_image_invalid", "image", imageMessage);
  const urlMessage = validationMessage(() => httpUrl("url", url));
  if (urlMessage) checks.fail("banner_url_invalid", "url", urlMessage);
  let index = row.index ?? 0;
  if (index < 0) index = checks.fix("banner_index_negative", "index", `index: must be >= 0, got ${index}`, 0);
  return checks.result({ id: row.id, image, url, index });
}

/**
 * Every row-level problem the import knows, what it means, and what --repair
 * does about it (null: no repair; the row is always skipped). This table is
 * the documentation (docs/import-emshop.md lists it) and the mappers' source of
 * codes, so the two cannot drift apart.
 */
export const PROBLEMS = {
  // goods, brands, categories
  name_empty: { means: "the name is empty after trimming", repair: null },
  name_too_long: { means: "the name is longer than the target column", repair: "cut to the column's length" },
  // goods
  goods_sn_empty: { means: "goods_sn is empty", repair: null },
  goods_sn_too_long: { means: "goods_sn is longer than 50 characters", repair: null },
  goods_sn_duplicate: {
    means: "another live goods with a lower id has the same goods_sn (goods_sn is unique here)",
    repair: "goods_sn gets the suffix -<id>",
  },
  brief_too_short: { means: "goods_brief has fewer than 3 characters", repair: "the goods name is used as brief" },
  brief_too_long: { means: "goods_brief is longer than 200 characters", repair: "cut to 200 characters" },
  description_too_long: { means: "goods_desc is longer than 20,000 characters", repair: "cut to 20,000 characters" },
  price_invalid: { means: "a price is missing or not a number", repair: null },
  price_negative: {
    means: "a price is below 0",
    repair:
      "the price becomes 0; for shop_price the goods is also taken off sale (on_sale = false) until someone sets a price",
  },
  price_too_precise: {
    means: "a price has more than 2 decimals (prices are stored in cents)",
    repair: "rounded to the cent",
  },
  price_too_large: { means: "a price is above 9,999,999,999.99", repair: null },
  front_image_invalid: { means: "goods_front_image is not an http(s) URL of at most 200 characters", repair: null },
  images_not_json: { means: "images / desc_images is not valid JSON", repair: "imported as an empty list" },
  images_not_a_list: {
    means: "images / desc_images is JSON but not a list of strings",
    repair: "imported as an empty list",
  },
  image_invalid: { means: "an entry of images / desc_images is not an http(s) URL", repair: "that entry is dropped" },
  too_many_images: { means: "images / desc_images has more than 50 entries", repair: "the first 50 are kept" },
  category_missing: { means: "the goods' category does not exist, is soft-deleted, or was skipped", repair: null },
  brand_missing: { means: "the goods' brand does not exist, is soft-deleted, or was skipped", repair: null },
  // categories
  category_level_mismatch: {
    means: "the level does not fit the parent (level 1 without a parent, else the parent's level + 1)",
    repair: "the level is set from the parent (parent's level + 1; 1 without a parent)",
  },
  category_parent_missing: { means: "the parent category does not exist or is soft-deleted", repair: null },
  category_parent_not_imported: {
    means: "the parent category is skipped itself (or the parents form a cycle)",
    repair: null,
  },
  category_too_deep: { means: "the category would be below level 3", repair: null },
  // brands
  brand_name_duplicate: {
    means: "another live brand with a lower id has the same name (brand names are unique here)",
    repair: 'the name gets the suffix " (<id>)"',
  },
  logo_invalid: { means: "the logo is not empty and not an http(s) URL of at most 200 characters", repair: "no logo" },
  // banners
  banner_image_invalid: { means: "the image is not an http(s) URL of at most 200 characters", repair: null },
  banner_url_invalid: { means: "the url is not an http(s) URL of at most 200 characters", repair: null },
  banner_index_negative: { means: "the index is below 0", repair: "index 0" },
  // stockselldetail
  order_sn_empty: { means: "order_sn is empty", repair: null },
  order_sn_too_long: { means: "order_sn is longer than 64 characters", repair: null },
  sell_status_unknown: { means: "status is neither 1 (deducted) nor 2 (returned)", repair: null },
  detail_not_json: { means: "detail is not valid JSON", repair: null },
  detail_invalid: {
    means: "detail is not a non-empty list of {Goods, Num} with a positive goods id and Num >= 1",
    repair: null,
  },
} as const satisfies Record<string, { means: string; repair: string | null }>;

export type ProblemCode = keyof typeof PROBLEMS;

/** The repair of a code, for RowChecks.fix (only codes that have one). */
export function repairOf(code: ProblemCode): string {
  const repair = PROBLEMS[code].repair;
  if (repair === null) throw new Error(`${code} has no repair`);
  return repair;
}

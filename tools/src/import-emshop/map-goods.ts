import { httpUrl, longText, text } from "@emshop/goods/validation/fields";
import { MAX_DESCRIPTION_LENGTH } from "@emshop/goods/validation/goods";
import { mapImages } from "./images";
import { type References, referenceMessage } from "./map-category-brand";
import { mapPrice } from "./prices";
import { charLength, type Mapped, RowChecks, truncate, validationMessage } from "./problems";
import { instant } from "./source";
import type { SourceGoods } from "./source-rows";
import type { GoodsRow } from "./target-rows";

const EPOCH = "1970-01-01T00:00:00.000Z";

export interface GoodsContext extends References {
  repair: boolean;
  /** MySQL type of the price columns (prices.ts). */
  priceType: string;
  /** How DATETIME values are read (source.ts). */
  timezone: string;
  /** The live goods with the lowest id per duplicated goods_sn (goods_sn is unique here, not in emshop). */
  goodsSnKeeper(goodsSn: string): number | undefined;
}

const count = (value: number | null) => (Number.isInteger(value) ? (value as number) : 0);

/**
 * One emshop goods, by the rules of createGoods (validation/goods
 * validateCreateGoods: the same field validators), plus what only an import
 * meets: prices in float32, images as JSON text, duplicate goods_sn, missing
 * references. Every problem is collected, so a skipped row lists all of them.
 */
export function mapGoods(row: SourceGoods, context: GoodsContext): Mapped<GoodsRow> {
  const checks = new RowChecks(context.repair);

  const rawName = (row.name ?? "").trim();
  let name = rawName;
  const nameMessage = validationMessage(() => text("name", rawName, 1, 50));
  if (nameMessage && charLength(rawName) === 0) checks.fail("name_empty", "name", nameMessage);
  else if (nameMessage) name = checks.fix("name_too_long", "name", nameMessage, truncate(rawName, 50));

  const rawSn = (row.goods_sn ?? "").trim();
  let goodsSn = rawSn;
  const snMessage = validationMessage(() => text("goods_sn", rawSn, 1, 50));
  if (snMessage) checks.fail(charLength(rawSn) === 0 ? "goods_sn_empty" : "goods_sn_too_long", "goods_sn", snMessage);
  const keeper = context.goodsSnKeeper(rawSn);
  if (!snMessage && keeper !== undefined && keeper !== row.id) {
    const suffix = `-${row.id}`;
    goodsSn = checks.fix(
      "goods_sn_duplicate",
      "goods_sn",
      `goods ${keeper} already has goods_sn "${rawSn}"`,
      `${truncate(rawSn, 50 - suffix.length)}${suffix}`,
    );
  }

  const rawBrief = (row.goods_brief ?? "").trim();
  let brief = rawBrief;
  const briefMessage = validationMessage(() => text("goods_brief", rawBrief, 3, 200));
  if (briefMessage && charLength(rawBrief) < 3) {
    if (charLength(name) >= 3) brief = checks.fix("brief_too_short", "goods_brief", briefMessage, name);
    else checks.fail("brief_too_short", "goods_brief", `${briefMessage} (and the name is too short to stand in)`);
  } else if (briefMessage) brief = checks.fix("brief_too_long", "goods_brief", briefMessage, truncate(rawBrief, 200));

  let description = row.goods_desc ?? "";
  const descriptionMessage = validationMessage(() => longText("goods_desc", description, MAX_DESCRIPTION_LENGTH));
  if (descriptionMessage)
    description = checks.fix(
      "description_too_long",
      "goods_desc",
      descriptionMessage,
      [...description].slice(0, MAX_DESCRIPTION_LENGTH).join(""),
    );

  const market = mapPrice(checks, "market_price", row.market_price, context.priceType);
  const shop = mapPrice(checks, "shop_price", row.shop_price, context.priceType);

  const frontImage = (row.goods_front_image ?? "").trim();
  const frontMessage = validationMessage(() => httpUrl("goods_front_image", frontImage));
  if (frontMessage) checks.fail("front_image_invalid", "goods_front_image", frontMessage);
  const images = mapImages(checks, "images", row.images);
  const descImages = mapImages(checks, "desc_images", row.desc_images);

  if (!context.category.imported(row.category_id))
    checks.fail(
      "category_missing",
      "category_id",
      referenceMessage("category", row.category_id, context.category.exists(row.category_id)),
    );
  if (!context.brand.imported(row.brand_id))
    checks.fail(
      "brand_missing",
      "brand_id",
      referenceMessage("brand", row.brand_id, context.brand.exists(row.brand_id)),
    );

  const createdAt = instant(row.add_time, context.timezone) ?? instant(row.update_time, context.timezone) ?? EPOCH;
  return checks.result({
    id: row.id,
    goodsSn,
    name,
    brief,
    description,
    marketPrice: market.amount ?? "0.00",
    shopPrice: shop.amount ?? "0.00",
    frontImage,
    images,
    descImages,
    // A repaired negative shop price must not sell at 0: the goods waits off sale for a real price.
    onSale: Boolean(row.on_sale) && !shop.negative,
    shipFree: Boolean(row.ship_free),
    isNew: Boolean(row.is_new),
    isHot: Boolean(row.is_hot),
    clickNum: count(row.click_num),
    soldNum: count(row.sold_num),
    favNum: count(row.fav_num),
    categoryId: row.category_id ?? 0,
    brandId: row.brand_id ?? 0,
    createdAt,
    updatedAt: instant(row.update_time, context.timezone) ?? createdAt,
  });
}

import type { SourceShape } from "./source-schema";

/**
 * The emshop rows as read (mysql2, text protocol): INT and TINYINT(1) as
 * numbers, DATETIME as text, prices as the double holding the float32.
 * Soft-deleted rows (gorm: deleted_at set) are read too, to be counted.
 */
export interface SourceCategory {
  id: number;
  deleted_at: string | null;
  name: string | null;
  parent_category_id: number | null;
  level: number | null;
  is_tab: number | null;
}

export interface SourceBrand {
  id: number;
  deleted_at: string | null;
  name: string | null;
  logo: string | null;
}

export interface SourceCategoryBrand {
  id: number;
  deleted_at: string | null;
  category_id: number | null;
  brands_id: number | null;
}

export interface SourceBanner {
  id: number;
  deleted_at: string | null;
  image: string | null;
  url: string | null;
  index: number | null;
}

export interface SourceGoods {
  id: number;
  add_time: string | null;
  update_time: string | null;
  deleted_at: string | null;
  category_id: number | null;
  brand_id: number | null;
  on_sale: number | null;
  ship_free: number | null;
  is_new: number | null;
  is_hot: number | null;
  name: string | null;
  goods_sn: string | null;
  click_num: number | null;
  sold_num: number | null;
  fav_num: number | null;
  market_price: number | string | null;
  shop_price: number | string | null;
  goods_brief: string | null;
  goods_desc: string | null;
  images: string | null;
  desc_images: string | null;
  goods_front_image: string | null;
  /** Only while the shop still has goods.stocks. */
  stocks?: number | null;
}

/** Its times are ISO instants once read (plan.ts converts them with the source's timezone). */
export interface SourceInventory {
  id: number;
  goods: number;
  stocks: number | null;
  version: number | null;
  deleted_at: string | null;
  add_time?: string | null;
  update_time?: string | null;
}

export interface SourceSellDetail {
  order_sn: string;
  status: string | number | null;
  detail: string | null;
  deleted_at?: string | null;
  add_time?: string | null;
  update_time?: string | null;
}

/** The SELECT lists, per table; `+ 0` reads a FLOAT as the exact double instead of six printed digits. */
export const sourceColumns = (shape: SourceShape) => ({
  category: "id, deleted_at, name, parent_category_id, level, is_tab",
  brands: "id, deleted_at, name, logo",
  goodscategorybrand: "id, deleted_at, category_id, brands_id",
  banner: "id, deleted_at, image, url, `index`",
  goods: [
    "id, add_time, update_time, deleted_at, category_id, brand_id, on_sale, ship_free, is_new, is_hot",
    "name, goods_sn, click_num, sold_num, fav_num",
    "market_price + 0 AS market_price, shop_price + 0 AS shop_price",
    "goods_brief, goods_desc, images, desc_images, goods_front_image",
    ...(shape.legacyStocks ? ["stocks"] : []),
  ].join(", "),
  inventory: [
    "id, goods, stocks, version, deleted_at",
    ...(shape.inventoryTimes ? ["add_time, update_time"] : []),
  ].join(", "),
  stockselldetail: [
    "order_sn, status, detail",
    ...(shape.sellDetailDeletedAt ? ["deleted_at"] : []),
    ...(shape.sellDetailTimes ? ["add_time, update_time"] : []),
  ].join(", "),
});

export const isSoftDeleted = (row: { deleted_at?: string | null }) =>
  row.deleted_at !== null && row.deleted_at !== undefined;

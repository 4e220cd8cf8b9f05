import type { SqlClient } from "@emshop/db/sql-client";
import type {
  BannerRow,
  BrandRow,
  CategoryBrandRow,
  CategoryRow,
  GoodsRow,
  StockRow,
  StockSellRow,
} from "./target-rows";

/**
 * How one target table is read back in the shape the import writes
 * (target-rows.ts), so that "would update / unchanged" and --verify compare
 * the same canonical text on both sides.
 */
export interface TargetTable<Row, Key extends number | string> {
  /** The report's and the summary's name for it. */
  name: string;
  keyOf(row: Row): Key;
  /** The compared columns, as one string (times as ISO instants, prices as DECIMAL text). */
  canonical(row: Row): string;
  /** The target's rows with these keys. */
  fetch(sql: SqlClient, keys: Key[]): Promise<Map<Key, Row>>;
  /** The target's rows in key order after `after` (null: from the start), for --verify. */
  scan(sql: SqlClient, after: Key | null, limit: number): Promise<Row[]>;
}

const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : String(value));

function table<Row, Key extends number | string>(spec: {
  name: string;
  from: string;
  key: string;
  keyType: "int" | "text";
  select: string;
  keyOf: (row: Row) => Key;
  normalize?: (row: Row) => Row;
  compared: (row: Row) => unknown[];
}): TargetTable<Row, Key> {
  const normalize = spec.normalize ?? ((row: Row) => row);
  return {
    name: spec.name,
    keyOf: spec.keyOf,
    canonical: (row) => JSON.stringify(spec.compared(row)),
    async fetch(sql, keys) {
      if (keys.length === 0) return new Map();
      const rows = await sql.query<Row>(
        `SELECT ${spec.select} FROM ${spec.from} WHERE ${spec.key} = ANY($1::${spec.keyType}[])`,
        [keys],
      );
      return new Map(rows.map((row) => [spec.keyOf(row), normalize(row)]));
    },
    async scan(sql, after, limit) {
      const rows = await sql.query<Row>(
        after === null
          ? `SELECT ${spec.select} FROM ${spec.from} ORDER BY ${spec.key} LIMIT $1`
          : `SELECT ${spec.select} FROM ${spec.from} WHERE ${spec.key} > $2 ORDER BY ${spec.key} LIMIT $1`,
        after === null ? [limit] : [limit, after],
      );
      return rows.map(normalize);
    },
  };
}

export const categoryTable = table<CategoryRow, number>({
  name: "category",
  from: "category",
  key: "id",
  keyType: "int",
  select: `id, name, level, is_tab AS "isTab", parent_id AS "parentId"`,
  keyOf: (row) => row.id,
  compared: (row) => [row.id, row.name, row.level, row.isTab, row.parentId],
});

export const brandTable = table<BrandRow, number>({
  name: "brand",
  from: "brand",
  key: "id",
  keyType: "int",
  select: "id, name, logo",
  keyOf: (row) => row.id,
  compared: (row) => [row.id, row.name, row.logo],
});

export const categoryBrandTable = table<CategoryBrandRow, number>({
  name: "category_brand",
  from: "category_brand",
  key: "id",
  keyType: "int",
  select: `id, category_id AS "categoryId", brand_id AS "brandId"`,
  keyOf: (row) => row.id,
  compared: (row) => [row.id, row.categoryId, row.brandId],
});

export const bannerTable = table<BannerRow, number>({
  name: "banner",
  from: "banner",
  key: "id",
  keyType: "int",
  select: "id, image, url, index",
  keyOf: (row) => row.id,
  compared: (row) => [row.id, row.image, row.url, row.index],
});

export const goodsTable = table<GoodsRow, number>({
  name: "goods",
  from: "goods",
  key: "id",
  keyType: "int",
  select: `id, goods_sn AS "goodsSn", name, brief, description, market_price::text AS "marketPrice",
    shop_price::text AS "shopPrice", front_image AS "frontImage", images, desc_images AS "descImages",
    on_sale AS "onSale", ship_free AS "shipFree", is_new AS "isNew", is_hot AS "isHot", click_num AS "clickNum",
    sold_num AS "soldNum", fav_num AS "favNum", category_id AS "categoryId", brand_id AS "brandId",
    created_at AS "createdAt", updated_at AS "updatedAt"`,
  keyOf: (row) => row.id,
  normalize: (row) => ({ ...row, createdAt: iso(row.createdAt), updatedAt: iso(row.updatedAt) }),
  compared: (row) => [
    row.id,
    row.goodsSn,
    row.name,
    row.brief,
    row.description,
    row.marketPrice,
    row.shopPrice,
    row.frontImage,
    row.images,
    row.descImages,
    row.onSale,
    row.shipFree,
    row.isNew,
    row.isHot,
    row.clickNum,
    row.soldNum,
    row.favNum,
    row.categoryId,
    row.brandId,
    row.createdAt,
    row.updatedAt,
  ],
});

/** Stock per goods: the one thing of inventory the import decides. */
export const stockTable = table<StockRow, number>({
  name: "inventory",
  from: "inventory",
  key: "goods_id",
  keyType: "int",
  select: `goods_id AS "goodsId", stocks`,
  keyOf: (row) => row.goodsId,
  compared: (row) => [row.goodsId, row.stocks],
});

export const stockSellTable = table<StockSellRow, string>({
  name: "stock_sell",
  from: "stock_sell",
  key: "order_sn",
  keyType: "text",
  select: `order_sn AS "orderSn", status, items, created_at AS "createdAt", updated_at AS "updatedAt"`,
  keyOf: (row) => row.orderSn,
  normalize: (row) => ({
    ...row,
    items: row.items.map((item) => ({ goodsId: item.goodsId, num: item.num })),
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  }),
  // Times are not compared: a record without emshop times gets the import's.
  compared: (row) => [row.orderSn, row.status, row.items.map((item) => [item.goodsId, item.num])],
});

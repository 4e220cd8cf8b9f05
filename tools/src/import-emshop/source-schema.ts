import { ImportError } from "./errors";
import type { SourceDb } from "./source";

/** The columns the import reads, per emshop table (gorm's BaseModel adds id, add_time, update_time, deleted_at). */
const REQUIRED = {
  goods: {
    category: ["id", "deleted_at", "name", "parent_category_id", "level", "is_tab"],
    brands: ["id", "deleted_at", "name", "logo"],
    goodscategorybrand: ["id", "deleted_at", "category_id", "brands_id"],
    banner: ["id", "deleted_at", "image", "url", "index"],
    goods: [
      "id",
      "add_time",
      "update_time",
      "deleted_at",
      "category_id",
      "brand_id",
      "on_sale",
      "ship_free",
      "is_new",
      "is_hot",
      "name",
      "goods_sn",
      "click_num",
      "sold_num",
      "fav_num",
      "market_price",
      "shop_price",
      "goods_brief",
      "goods_desc",
      "images",
      "desc_images",
      "goods_front_image",
    ],
  },
  inventory: {
    inventory: ["id", "deleted_at", "goods", "stocks", "version"],
    stockselldetail: ["order_sn", "status", "detail"],
  },
} as const;

/** What differs between emshop versions and shops, found in information_schema. */
export interface SourceShape {
  /** goods.stocks still exists (shops that have not dropped it yet): its values are backed up. */
  legacyStocks: boolean;
  /** MySQL type of goods.market_price / shop_price: `float` (emshop's float32) is read by its float32 value. */
  priceType: string;
  /** stockselldetail has gorm's BaseModel (emshop models differ by version): soft delete and times. */
  sellDetailDeletedAt: boolean;
  sellDetailTimes: boolean;
  inventoryTimes: boolean;
}

async function columnsOf(source: SourceDb): Promise<Map<string, Map<string, string>>> {
  const rows = await source.query<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT table_name AS table_name, column_name AS column_name, data_type AS data_type
     FROM information_schema.columns WHERE table_schema = DATABASE()`,
  );
  const tables = new Map<string, Map<string, string>>();
  for (const row of rows) {
    const table = tables.get(row.table_name) ?? new Map<string, string>();
    table.set(row.column_name.toLowerCase(), row.data_type.toLowerCase());
    tables.set(row.table_name, table);
  }
  return tables;
}

function assertColumns(
  source: SourceDb,
  tables: Map<string, Map<string, string>>,
  required: Record<string, readonly string[]>,
) {
  const missing: string[] = [];
  for (const [table, columns] of Object.entries(required)) {
    const found = tables.get(table);
    if (!found) missing.push(`table ${table}`);
    else for (const column of columns) if (!found.has(column)) missing.push(`${table}.${column}`);
  }
  if (missing.length > 0)
    throw new ImportError(
      "SOURCE_SCHEMA",
      `the emshop ${source.name} database (${source.location}) lacks ${missing.join(", ")}: is it an emshop ${source.name} database?`,
    );
}

/** Checks both sources have what the import reads, and finds the optional columns. */
export async function readSourceShape(goods: SourceDb, inventory: SourceDb): Promise<SourceShape> {
  const goodsTables = await columnsOf(goods);
  const inventoryTables = await columnsOf(inventory);
  assertColumns(goods, goodsTables, REQUIRED.goods);
  assertColumns(inventory, inventoryTables, REQUIRED.inventory);
  const sells = inventoryTables.get("stockselldetail");
  const stock = inventoryTables.get("inventory");
  return {
    legacyStocks: goodsTables.get("goods")?.has("stocks") ?? false,
    priceType: goodsTables.get("goods")?.get("shop_price") ?? "float",
    sellDetailDeletedAt: sells?.has("deleted_at") ?? false,
    sellDetailTimes: (sells?.has("add_time") && sells.has("update_time")) ?? false,
    inventoryTimes: (stock?.has("add_time") && stock.has("update_time")) ?? false,
  };
}

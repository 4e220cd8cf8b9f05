/**
 * A small emshop shop with every awkward case an import meets, as rows for
 * the emshop schema (emshop-schema.ts). Each row says what it exercises; the
 * EXPECTED_* constants below are counted by hand from these comments, not
 * computed, so the tests check the tool against a second opinion.
 */
const T = "'2023-05-01 10:00:00.000'";
const U = "'2024-02-03 04:05:06.789'";
const DELETED = "'2024-03-01 00:00:00.000'";

const LONG_NAME = "Fuji Apple, hand-picked, extra crisp, family pack 2kg"; // 53 characters
export const LONG_ORDER_SN = `SO-${"9".repeat(67)}`; // 70 characters

const img = (name: string) => `https://img.example/${name}.jpg`;
/** A SQL string literal (the fixture's texts hold no backslashes, which MySQL would read as escapes). */
const q = (text: string) => `'${text.replaceAll("'", "''")}'`;
const json = (value: unknown) => q(JSON.stringify(value));

export const GOODS_ROWS = [
  `INSERT INTO category (id, add_time, update_time, deleted_at, name, parent_category_id, level, is_tab) VALUES
    (1, ${T}, ${T}, NULL, 'Fresh Food', NULL, 1, 1),
    (2, ${T}, ${T}, NULL, 'Fruit', 1, 2, 0),
    (3, ${T}, ${T}, NULL, 'Apples', 2, 3, 0),
    (4, ${T}, ${T}, NULL, 'Drinks', 0, 1, 1),          -- parent 0: Go's zero value for "no parent"
    (5, ${T}, ${T}, NULL, 'Tea', 4, 2, 0),
    (6, ${T}, ${T}, ${DELETED}, 'Old Promo', NULL, 1, 0), -- soft-deleted
    (7, ${T}, ${T}, NULL, 'Juice', 4, 3, 0),           -- level 3 under a level-1 parent: level mismatch
    (8, ${T}, ${T}, NULL, 'Green Tea', 5, 3, 0),
    (9, ${T}, ${T}, NULL, 'Leftovers', 6, 2, 0),       -- parent soft-deleted
    (10, ${T}, ${T}, NULL, 'Orange Juice', 7, 3, 0),   -- parent skipped (fits once 7 is repaired)
    (11, ${T}, ${T}, NULL, 'Snacks', 12, 2, 0),        -- parent has a higher id
    (12, ${T}, ${T}, NULL, 'Pantry', NULL, 1, 0)`,
  `INSERT INTO brands (id, add_time, update_time, deleted_at, name, logo) VALUES
    (1, ${T}, ${T}, NULL, 'Acme', 'https://img.example/acme.png'),
    (2, ${T}, ${T}, NULL, 'Zest', ''),
    (3, ${T}, ${T}, ${DELETED}, 'Gone Brand', ''),     -- soft-deleted
    (4, ${T}, ${T}, NULL, 'Acme', ''),                 -- duplicate name (unique in the target)
    (5, ${T}, ${T}, NULL, 'Nordic', 'logo.png'),       -- logo not a URL
    (6, ${T}, ${T}, NULL, '  Lumen  ', '')`,
  `INSERT INTO goodscategorybrand (id, add_time, update_time, deleted_at, category_id, brands_id) VALUES
    (1, ${T}, ${T}, NULL, 3, 1),
    (2, ${T}, ${T}, NULL, 5, 2),
    (3, ${T}, ${T}, NULL, 6, 1),                       -- category soft-deleted
    (4, ${T}, ${T}, NULL, 2, 3),                       -- brand soft-deleted
    (5, ${T}, ${T}, ${DELETED}, 8, 2),                 -- soft-deleted
    (6, ${T}, ${T}, NULL, 7, 6)                        -- category skipped (imported with --repair)`,
  `INSERT INTO banner (id, add_time, update_time, deleted_at, image, url, \`index\`) VALUES
    (1, ${T}, ${T}, NULL, '${img("b1")}', 'https://shop.example/promo/1', 1),
    (2, ${T}, ${T}, NULL, '${img("b2")}', 'https://shop.example/promo/2', 2),
    (3, ${T}, ${T}, ${DELETED}, '${img("b3")}', 'https://shop.example/promo/3', 3),
    (4, ${T}, ${T}, NULL, 'banner4.jpg', 'https://shop.example/promo/4', 4), -- image not a URL
    (5, ${T}, ${T}, NULL, '${img("b5")}', 'https://shop.example/promo/5', -1) -- negative index`,
];

/** One goods row; what is not given gets a plain, valid value. */
type GoodsSpec = {
  id: number;
  category: number;
  brand: number;
  name?: string;
  sn?: string;
  market?: number;
  shop?: number;
  brief?: string;
  images?: string;
  front?: string;
  legacy: number | null;
  deleted?: boolean;
  onSale?: 0 | 1;
  isNew?: 0 | 1;
};

export const GOODS: GoodsSpec[] = [
  { id: 1, category: 3, brand: 1, name: "Fuji Apple 1kg", sn: "SN-0001", market: 12.34, shop: 9.9, legacy: 10 }, // match
  { id: 2, category: 3, brand: 6, name: "Gala Apple", legacy: 5 }, // drift: inventory 8
  { id: 3, category: 3, brand: 1, name: LONG_NAME, legacy: 3 }, // name over 50 characters
  { id: 4, category: 5, brand: 2, name: "Black Tea", shop: -5, legacy: null }, // negative price
  { id: 5, category: 5, brand: 2, name: "Oolong", images: "not json [", legacy: null }, // images not JSON
  { id: 6, category: 99, brand: 1, name: "Lost Goods", legacy: null }, // category does not exist
  { id: 7, category: 3, brand: 3, name: "Gone Brand Apple", legacy: null }, // brand soft-deleted
  { id: 8, category: 3, brand: 1, name: "Deleted Goods", legacy: 2, deleted: true }, // soft-deleted (inventory: orphan)
  { id: 9, category: 8, brand: 2, name: "Sencha", legacy: 5 }, // several inventory rows; drift against the chosen 7
  { id: 10, category: 11, brand: 1, name: "Crackers", legacy: 12 }, // no inventory row: missing_inventory
  { id: 11, category: 12, brand: 1, name: "Rice 5kg", legacy: null }, // no stock anywhere
  { id: 12, category: 12, brand: 2, name: "Pasta", legacy: null }, // inventory only
  { id: 13, category: 3, brand: 1, name: "Apple Juice Pack", sn: "SN-0001", legacy: 1 }, // duplicate goods_sn
  { id: 14, category: 5, brand: 2, name: "Matcha", market: 9.999, legacy: null }, // 3 decimals
  { id: 15, category: 7, brand: 1, name: "Orange Juice 1l", legacy: null }, // category skipped (level mismatch)
  { id: 16, category: 12, brand: 2, name: "Flour", legacy: null }, // negative inventory stock: imported as 0
  {
    id: 17,
    category: 3,
    brand: 1,
    name: "Pink Lady",
    images: JSON.stringify([img("17a"), "relative.jpg"]),
    legacy: null,
  }, // a relative image
  { id: 18, category: 12, brand: 1, name: "Oats", brief: "", legacy: null }, // brief too short
  { id: 19, category: 12, brand: 2, name: "Salt", onSale: 0, isNew: 1, legacy: 0 }, // match at 0
  { id: 20, category: 8, brand: 2, name: "Gyokuro Reserve", market: 12345.67, shop: 12000.5, legacy: 15 }, // float32 price
  { id: 21, category: 12, brand: 1, name: "Sugar", front: "", legacy: 2 }, // no front image; legacy but no inventory
];

export const goodsInsert = () =>
  `INSERT INTO goods (id, add_time, update_time, deleted_at, category_id, brand_id, on_sale, ship_free, is_new, is_hot,
     name, goods_sn, click_num, sold_num, fav_num, market_price, shop_price, goods_brief, goods_desc, images,
     desc_images, goods_front_image, stocks) VALUES
  ${GOODS.map(
    (goods) =>
      `(${goods.id}, ${T}, ${U}, ${goods.deleted ? DELETED : "NULL"}, ${goods.category}, ${goods.brand}, ${goods.onSale ?? 1}, 1, ${goods.isNew ?? 0}, 0,
        ${q(goods.name ?? `Goods ${goods.id}`)}, ${q(goods.sn ?? `SN-${String(goods.id).padStart(4, "0")}`)}, ${goods.id * 10}, ${goods.id}, ${goods.id % 3},
        ${goods.market ?? 20}, ${goods.shop ?? 18.5}, ${q(goods.brief ?? "Fresh from the shop")}, 'A longer description.',
        ${goods.images === undefined ? json([img(`g${goods.id}`)]) : q(goods.images)}, '[]',
        ${q(goods.front ?? img(`front${goods.id}`))}, ${goods.legacy ?? "NULL"})`,
  ).join(",\n  ")}`;

/** [row id, goods, stocks, version, deleted] */
export const INVENTORY: [number, number, number, number, boolean][] = [
  [1, 1, 10, 2, false],
  [2, 1, 99, 1, true], // soft-deleted second row: not "several rows"
  [3, 2, 8, 1, false],
  [4, 3, 3, 1, false],
  [5, 4, 6, 1, false],
  [6, 5, 2, 1, false],
  [7, 6, 4, 1, false],
  [8, 8, 2, 1, false], // goods 8 is soft-deleted: orphan
  [9, 9, 7, 3, false], // the chosen one: lowest live id (what emshop's First() read)
  [10, 9, 4, 9, false], // higher version, later update: not chosen
  [11, 9, 100, 1, true], // soft-deleted
  [12, 12, 4, 1, false],
  [13, 13, 1, 1, false],
  [14, 14, 5, 1, false],
  [15, 15, 3, 1, false],
  [16, 16, -3, 1, false],
  [17, 17, 9, 1, false],
  [18, 18, 2, 1, false],
  [19, 19, 0, 1, false],
  [20, 20, 15, 1, false],
  [21, 900, 3, 1, false], // no such goods: orphan
  [22, 901, 0, 1, false], // no such goods: orphan at 0
  [23, 902, 1, 1, true], // no such goods, soft-deleted: nothing to report
];

export const inventoryInsert = () =>
  `INSERT INTO inventory (id, add_time, update_time, deleted_at, goods, stocks, version) VALUES
  ${INVENTORY.map(
    ([id, goods, stocks, version, deleted]) =>
      `(${id}, ${T}, ${id === 10 ? "'2024-06-01 00:00:00.000'" : U}, ${deleted ? DELETED : "NULL"}, ${goods}, ${stocks}, ${version})`,
  ).join(",\n  ")}`;

const detail = (items: [number, number][]) => json(items.map(([goods, num]) => ({ Goods: goods, Num: num })));

export const SELLS_INSERT = `INSERT INTO stockselldetail (id, add_time, update_time, deleted_at, order_sn, status, detail) VALUES
  (1, ${T}, ${T}, NULL, 'SO-1001', '1', ${detail([
    [1, 2],
    [2, 1],
  ])}),
  (2, ${T}, ${U}, NULL, 'SO-1002', '2', ${detail([[1, 1]])}),
  (3, ${T}, ${T}, NULL, 'SO-1003', '1', ${detail([
    [2, 1],
    [9, 1],
    [2, 2],
  ])}),
  (4, ${T}, ${T}, NULL, 'SO-1004', '1', '[{"Goods":1,"Num":'),
  (5, ${T}, ${T}, NULL, 'SO-1005', '3', ${detail([[1, 1]])}),
  (6, ${T}, ${T}, ${DELETED}, 'SO-1006', '1', ${detail([[1, 1]])}),
  (7, ${T}, ${T}, NULL, 'SO-1007', '1', '[]'),
  (8, ${T}, ${T}, NULL, '${LONG_ORDER_SN}', '1', ${detail([[1, 1]])}),
  (9, ${T}, ${T}, NULL, 'SO-1009', '1', ${detail([[950, 1]])})`;

/** What a dry run without --repair reports, per table. */
export const EXPECTED_TABLES = {
  category: {
    read: 12,
    softDeleted: 1,
    skipped: 3,
    repaired: 0,
    insert: 8,
    skippedByReason: { category_level_mismatch: 1, category_parent_missing: 1, category_parent_not_imported: 1 },
  },
  brand: {
    read: 6,
    softDeleted: 1,
    skipped: 2,
    repaired: 0,
    insert: 3,
    skippedByReason: { brand_name_duplicate: 1, logo_invalid: 1 },
  },
  category_brand: {
    read: 6,
    softDeleted: 1,
    skipped: 3,
    repaired: 0,
    insert: 2,
    skippedByReason: { category_missing: 2, brand_missing: 1 },
  },
  banner: {
    read: 5,
    softDeleted: 1,
    skipped: 2,
    repaired: 0,
    insert: 2,
    skippedByReason: { banner_image_invalid: 1, banner_index_negative: 1 },
  },
  goods: {
    read: 21,
    softDeleted: 1,
    skipped: 11,
    repaired: 0,
    insert: 9,
    skippedByReason: {
      name_too_long: 1,
      price_negative: 1,
      images_not_json: 1,
      category_missing: 2,
      brand_missing: 1,
      goods_sn_duplicate: 1,
      price_too_precise: 1,
      image_invalid: 1,
      brief_too_short: 1,
      front_image_invalid: 1,
    },
  },
  inventory: {
    read: 23,
    softDeleted: 3,
    skipped: 13,
    repaired: 0,
    insert: 8,
    skippedByReason: { goods_skipped: 9, orphan_inventory: 3, not_chosen: 1 },
  },
  stock_sell: {
    read: 9,
    softDeleted: 1,
    skipped: 4,
    repaired: 0,
    insert: 4,
    skippedByReason: { detail_not_json: 1, sell_status_unknown: 1, detail_invalid: 1, order_sn_too_long: 1 },
  },
};

/** The reconcile tool's classes over the 20 live goods and the orphan goods ids 8, 900, 901. */
export const EXPECTED_STOCK_CLASSES = {
  match: 5,
  drift: 2,
  missing_inventory: 2,
  inventory_only: 9,
  orphan_inventory: 3,
  no_stock_anywhere: 2,
};

/** Target stock per imported goods after an apply without --repair (goods 11 has none anywhere). */
export const EXPECTED_STOCKS = { 1: 10, 2: 8, 9: 7, 10: 12, 12: 4, 16: 0, 19: 0, 20: 15 };
/** With --repair the skipped goods that can be repaired come in with their stock. */
export const EXPECTED_STOCKS_REPAIRED = { ...EXPECTED_STOCKS, 3: 3, 4: 6, 5: 2, 13: 1, 14: 5, 15: 3, 17: 9, 18: 2 };

export const IMPORTED_GOODS = [1, 2, 9, 10, 11, 12, 16, 19, 20];
export const IMPORTED_GOODS_REPAIRED = [1, 2, 3, 4, 5, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20];

/** The highest goods id emshop ever mentions: goods 21, inventory goods 902, order SO-1009's goods 950. */
export const HIGHEST_GOODS_ID = 950;

/**
 * emshop's tables as gorm's AutoMigrate creates them on MySQL/MariaDB from the
 * models (internal/app/pkg/gorm/base.go, internal/app/goods/srv/domain/do/*.go,
 * internal/app/inventory/srv/domain/do/inventory.go): BaseModel gives every
 * table `id int AUTO_INCREMENT`, `add_time`/`update_time` DATETIME(3),
 * `deleted_at` DATETIME(3) with its index (soft delete) and `is_deleted`
 * boolean; associations become foreign keys; bool is tinyint(1); float32 is
 * FLOAT. Two deviations a real shop shows, both on purpose: goods.name is
 * VARCHAR(100) (widened by hand once: gorm's AutoMigrate never narrows a column
 * that holds longer values, so names over 50 characters survive), and
 * goods.stocks still exists, nullable (the legacy column shops have not
 * dropped yet).
 */
const BASE = `id int NOT NULL AUTO_INCREMENT,
  add_time datetime(3) DEFAULT NULL,
  update_time datetime(3) DEFAULT NULL,
  deleted_at datetime(3) DEFAULT NULL,
  is_deleted tinyint(1) DEFAULT NULL`;

const TABLE_OPTIONS = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";

export const GOODS_SCHEMA = [
  `CREATE TABLE category (
    ${BASE},
    name varchar(20) NOT NULL,
    parent_category_id int DEFAULT NULL,
    level int NOT NULL DEFAULT 1,
    is_tab tinyint(1) NOT NULL DEFAULT 0,
    url varchar(200) NOT NULL DEFAULT '',
    PRIMARY KEY (id),
    KEY idx_category_deleted_at (deleted_at),
    KEY fk_category_sub_category (parent_category_id),
    CONSTRAINT fk_category_sub_category FOREIGN KEY (parent_category_id) REFERENCES category (id)
  ) ${TABLE_OPTIONS}`,
  `CREATE TABLE brands (
    ${BASE},
    name varchar(20) NOT NULL,
    logo varchar(200) NOT NULL DEFAULT '',
    PRIMARY KEY (id),
    KEY idx_brands_deleted_at (deleted_at)
  ) ${TABLE_OPTIONS}`,
  `CREATE TABLE goodscategorybrand (
    ${BASE},
    category_id int DEFAULT NULL,
    brands_id int DEFAULT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY idx_category_brand (category_id, brands_id),
    KEY idx_goodscategorybrand_deleted_at (deleted_at),
    KEY fk_goodscategorybrand_brands (brands_id),
    CONSTRAINT fk_goodscategorybrand_category FOREIGN KEY (category_id) REFERENCES category (id),
    CONSTRAINT fk_goodscategorybrand_brands FOREIGN KEY (brands_id) REFERENCES brands (id)
  ) ${TABLE_OPTIONS}`,
  `CREATE TABLE banner (
    ${BASE},
    image varchar(200) NOT NULL,
    url varchar(200) NOT NULL,
    \`index\` int NOT NULL DEFAULT 1,
    PRIMARY KEY (id),
    KEY idx_banner_deleted_at (deleted_at)
  ) ${TABLE_OPTIONS}`,
  `CREATE TABLE goods (
    ${BASE},
    category_id int NOT NULL,
    brand_id int NOT NULL,
    on_sale tinyint(1) NOT NULL DEFAULT 0,
    ship_free tinyint(1) NOT NULL DEFAULT 0,
    is_new tinyint(1) NOT NULL DEFAULT 0,
    is_hot tinyint(1) NOT NULL DEFAULT 0,
    name varchar(100) NOT NULL,
    goods_sn varchar(50) NOT NULL,
    click_num int NOT NULL DEFAULT 0,
    sold_num int NOT NULL DEFAULT 0,
    fav_num int NOT NULL DEFAULT 0,
    market_price float NOT NULL,
    shop_price float NOT NULL,
    goods_brief varchar(100) NOT NULL,
    goods_desc text,
    images varchar(1000) NOT NULL,
    desc_images varchar(1000) NOT NULL,
    goods_front_image varchar(200) NOT NULL,
    stocks int DEFAULT NULL,
    PRIMARY KEY (id),
    KEY idx_goods_deleted_at (deleted_at),
    KEY fk_goods_category (category_id),
    KEY fk_goods_brands (brand_id),
    CONSTRAINT fk_goods_category FOREIGN KEY (category_id) REFERENCES category (id),
    CONSTRAINT fk_goods_brands FOREIGN KEY (brand_id) REFERENCES brands (id)
  ) ${TABLE_OPTIONS}`,
];

export const INVENTORY_SCHEMA = [
  `CREATE TABLE inventory (
    ${BASE},
    goods int DEFAULT NULL,
    stocks int DEFAULT NULL,
    version int DEFAULT NULL,
    PRIMARY KEY (id),
    KEY idx_inventory_goods (goods),
    KEY idx_inventory_deleted_at (deleted_at)
  ) ${TABLE_OPTIONS}`,
  `CREATE TABLE stockselldetail (
    ${BASE},
    order_sn varchar(200) DEFAULT NULL,
    status varchar(200) DEFAULT NULL,
    detail varchar(200) DEFAULT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY idx_order_sn (order_sn),
    KEY idx_stockselldetail_deleted_at (deleted_at)
  ) ${TABLE_OPTIONS}`,
];

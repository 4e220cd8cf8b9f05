-- The catalog as the legacy shop had it, including goods.stocks: shops that
-- adopt emshop arrive at exactly this shape. 0003 removes the column once
-- `npm run stocks:reconcile -- --apply` has moved its values to inventory.

CREATE TABLE category (
  id        SERIAL PRIMARY KEY,
  name      VARCHAR(20) NOT NULL,
  level     INTEGER NOT NULL CHECK (level BETWEEN 1 AND 3),
  is_tab    BOOLEAN NOT NULL DEFAULT FALSE,
  parent_id INTEGER REFERENCES category (id) ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX category_parent_id_idx ON category (parent_id);

CREATE TABLE brand (
  id   SERIAL PRIMARY KEY,
  name VARCHAR(50) NOT NULL,
  logo VARCHAR(200) NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX brand_name_key ON brand (name);

CREATE TABLE category_brand (
  id          SERIAL PRIMARY KEY,
  category_id INTEGER NOT NULL REFERENCES category (id) ON DELETE RESTRICT ON UPDATE CASCADE,
  brand_id    INTEGER NOT NULL REFERENCES brand (id) ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE UNIQUE INDEX category_brand_category_id_brand_id_key ON category_brand (category_id, brand_id);
CREATE INDEX category_brand_brand_id_idx ON category_brand (brand_id);

CREATE TABLE banner (
  id    SERIAL PRIMARY KEY,
  image VARCHAR(200) NOT NULL,
  url   VARCHAR(200) NOT NULL,
  index INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE goods (
  id           SERIAL PRIMARY KEY,
  goods_sn     VARCHAR(50) NOT NULL,
  name         VARCHAR(50) NOT NULL,
  brief        VARCHAR(200) NOT NULL,
  description  TEXT NOT NULL DEFAULT '',
  market_price DECIMAL(12, 2) NOT NULL CHECK (market_price >= 0),
  shop_price   DECIMAL(12, 2) NOT NULL CHECK (shop_price >= 0),
  front_image  VARCHAR(200) NOT NULL,
  images       TEXT[] NOT NULL DEFAULT '{}',
  desc_images  TEXT[] NOT NULL DEFAULT '{}',
  on_sale      BOOLEAN NOT NULL DEFAULT TRUE,
  ship_free    BOOLEAN NOT NULL DEFAULT TRUE,
  is_new       BOOLEAN NOT NULL DEFAULT FALSE,
  is_hot       BOOLEAN NOT NULL DEFAULT FALSE,
  click_num    INTEGER NOT NULL DEFAULT 0,
  sold_num     INTEGER NOT NULL DEFAULT 0,
  fav_num      INTEGER NOT NULL DEFAULT 0,
  -- Legacy duplicate of inventory.stocks; dropped by 0003.
  stocks       INTEGER,
  category_id  INTEGER NOT NULL REFERENCES category (id) ON DELETE RESTRICT ON UPDATE CASCADE,
  brand_id     INTEGER NOT NULL REFERENCES brand (id) ON DELETE RESTRICT ON UPDATE CASCADE,
  created_at   TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at   TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX goods_goods_sn_key ON goods (goods_sn);
CREATE INDEX goods_category_id_idx ON goods (category_id);
CREATE INDEX goods_brand_id_idx ON goods (brand_id);

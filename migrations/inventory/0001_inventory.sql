-- Inventory is the one source of truth for stock. goods_id points into the
-- goods database (another database), so it cannot be a foreign key.
CREATE TABLE inventory (
  id         SERIAL PRIMARY KEY,
  goods_id   INTEGER NOT NULL,
  stocks     INTEGER NOT NULL DEFAULT 0 CONSTRAINT inventory_stocks_non_negative CHECK (stocks >= 0),
  version    INTEGER NOT NULL DEFAULT 0,
  updated_at TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX inventory_goods_id_key ON inventory (goods_id);

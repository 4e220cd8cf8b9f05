-- Per-goods low-stock threshold, set by admins (setLowStockThreshold). NULL
-- means "the service's default" (LOW_STOCK_THRESHOLD), so changing the default
-- moves every goods that has no threshold of its own. A goods is LOW_STOCK
-- when 0 < stocks <= its threshold, OUT_OF_STOCK at 0. Not a stock change: the
-- ledger is untouched.
ALTER TABLE inventory
  ADD COLUMN low_stock_threshold INTEGER NULL
    CONSTRAINT inventory_low_stock_threshold_check CHECK (low_stock_threshold >= 0);

-- lowStockGoods pages by (stocks, goods_id): the emptiest shelves first.
CREATE INDEX inventory_stocks_goods_id_idx ON inventory (stocks, goods_id);

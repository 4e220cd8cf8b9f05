-- Every stock change is recorded, in the same transaction as the change, so
-- that for each goods sum(delta) over its movements equals inventory.stocks.
-- Rows are only ever inserted: the ledger is the audit trail.
CREATE TABLE stock_movement (
  id            BIGSERIAL PRIMARY KEY,
  goods_id      INTEGER NOT NULL,
  delta         INTEGER NOT NULL,
  stocks_after  INTEGER NOT NULL,
  version_after INTEGER NOT NULL,
  kind          VARCHAR(8) NOT NULL
    CONSTRAINT stock_movement_kind_check CHECK (kind IN ('SET', 'ADJUST', 'SELL', 'REBACK', 'IMPORT')),
  reason        VARCHAR(200),
  order_sn      VARCHAR(64),
  actor         VARCHAR(100),
  created_at    TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
-- stockMovements(goodsId, first, after) pages newest first by id within one goods.
CREATE INDEX stock_movement_goods_id_id_idx ON stock_movement (goods_id, id DESC);

-- One row per order that ever touched stock: what it took (items) and where it
-- stands. The primary key on order_sn is what makes sellStock/rebackStock
-- idempotent, even for concurrent duplicates (the second insert waits, then conflicts).
CREATE TABLE stock_sell (
  order_sn   VARCHAR(64) PRIMARY KEY,
  status     VARCHAR(9) NOT NULL
    CONSTRAINT stock_sell_status_check CHECK (status IN ('SOLD', 'RETURNED', 'CANCELLED')),
  -- [{"goodsId": 1, "num": 2}, …], merged per goods and sorted by goodsId.
  items      JSONB NOT NULL DEFAULT '[]',
  created_at TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);

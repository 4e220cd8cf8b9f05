-- Where `stocks:reconcile --apply` keeps every legacy goods.stocks value before
-- the column is dropped, and a record of each reconciliation run. Nothing in
-- these tables is ever deleted by the tooling: they are the audit trail.

CREATE TABLE legacy_stock_backup (
  goods_id         INTEGER PRIMARY KEY,
  legacy_stocks    INTEGER,
  inventory_stocks INTEGER,
  class            VARCHAR(32) NOT NULL,
  backed_up_at     TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE stock_reconcile_run (
  id          SERIAL PRIMARY KEY,
  started_at  TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  finished_at TIMESTAMPTZ(3),
  status      VARCHAR(16) NOT NULL,
  summary     JSONB NOT NULL DEFAULT '{}'
);

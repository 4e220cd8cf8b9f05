-- Checkout holds (holdStock / confirmHold / releaseHold, README "Checkout holds").
-- A row has units on hand (`stocks`) and units held for checkouts in progress
-- (`held`); what a storefront may sell is on hand minus the holds still live.
-- `held` is the sum of the items of every hold whose status is HELD, expired
-- or not: a hold past its expiry stops counting at once for every read and
-- write (they subtract only live holds, and a write short of stock first
-- reclaims expired ones), and the sweeper catches up on the stored figure.
ALTER TABLE inventory
  ADD COLUMN held INTEGER NOT NULL DEFAULT 0,
  ADD CONSTRAINT inventory_held_range CHECK (held >= 0 AND held <= stocks);

-- stock_sell stays the one row per orderSn, across sells and holds, so an
-- orderSn can never both hold and sell. A hold is HELD until it is CONFIRMED
-- (a sale: rebackStock returns it like a sold order), RELEASED, or EXPIRED;
-- a release before any hold records CANCELLED, as rebackStock does.
ALTER TABLE stock_sell
  DROP CONSTRAINT stock_sell_status_check,
  ADD CONSTRAINT stock_sell_status_check
    CHECK (status IN ('SOLD', 'RETURNED', 'CANCELLED', 'HELD', 'CONFIRMED', 'RELEASED', 'EXPIRED')),
  ADD COLUMN expires_at TIMESTAMPTZ(3);
-- The sweeper's queue: live and expired holds by expiry.
CREATE INDEX stock_sell_held_expires_at_idx ON stock_sell (expires_at) WHERE status = 'HELD';

-- The items of HELD holds, one row per (order, goods), deleted when the hold
-- ends: what the reads subtract per goods (by goods id and expiry), and what
-- inventory.held sums up. Keyed by goods id only, so a stock location is one
-- more key column, not a rewrite.
CREATE TABLE stock_hold (
  order_sn   VARCHAR(64) NOT NULL REFERENCES stock_sell (order_sn),
  goods_id   INTEGER NOT NULL,
  num        INTEGER NOT NULL CONSTRAINT stock_hold_num_positive CHECK (num > 0),
  expires_at TIMESTAMPTZ(3) NOT NULL,
  PRIMARY KEY (order_sn, goods_id)
);
CREATE INDEX stock_hold_goods_id_expires_at_idx ON stock_hold (goods_id, expires_at);

-- The ledger gains the held dimension: per goods, sum(held_delta) = inventory.held.
-- Rows written before holds existed moved no held units (0, 0 is exact for them).
ALTER TABLE stock_movement
  ADD COLUMN held_delta INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN held_after INTEGER NOT NULL DEFAULT 0,
  DROP CONSTRAINT stock_movement_kind_check,
  ADD CONSTRAINT stock_movement_kind_check
    CHECK (kind IN ('SET', 'ADJUST', 'SELL', 'REBACK', 'IMPORT', 'HOLD', 'CONFIRM', 'RELEASE', 'EXPIRE'));

-- Stock events (README "Stock events"). The ledger is the outbox: every stock
-- change already writes its movement in the same statement as the change, so
-- a rolled-back change never becomes an event and a committed one is never
-- missed. What the feed needs on top is commit order, which neither the
-- BIGSERIAL id (taken before commit) nor the transaction id gives: a
-- transaction that began earlier may commit later. So, as PgQ does, each
-- movement records its transaction, a ticker takes consecutive snapshots, and
-- batch k is the movements visible in snapshot k and not in snapshot k-1.

-- The transaction that wrote the movement (pg_current_xact_id(), an xid8 kept
-- as bigint so Prisma can map it), and the low-stock threshold in force then,
-- so a replay derives the same events whatever the thresholds are today. Both
-- stay NULL on rows written before this migration: they are history, not events
-- (the default is set after ADD COLUMN, which leaves existing rows untouched).
ALTER TABLE stock_movement
  ADD COLUMN txid BIGINT,
  ADD COLUMN low_stock_threshold INTEGER;
ALTER TABLE stock_movement ALTER COLUMN txid SET DEFAULT (pg_current_xact_id()::text::bigint);
CREATE INDEX stock_movement_txid_idx ON stock_movement (txid);

-- One row: this database's identity (event ids are `<identity>:<movement id>`,
-- so two databases never collide on a stream) and the service's default
-- low-stock threshold, which the inventory service writes at start so that
-- movements can record the threshold in force without a parameter on every
-- statement.
CREATE TABLE inventory_settings (
  id                          BOOLEAN PRIMARY KEY DEFAULT TRUE CONSTRAINT inventory_settings_one_row CHECK (id),
  database_identity           UUID NOT NULL DEFAULT gen_random_uuid(),
  default_low_stock_threshold INTEGER NOT NULL DEFAULT 10
);
INSERT INTO inventory_settings DEFAULT VALUES;

-- The ticker's snapshots (pg_snapshot as text), one per tick that found new
-- committed movements. The first, taken here, is the feed's origin.
CREATE TABLE stock_event_tick (
  id         BIGSERIAL PRIMARY KEY,
  snapshot   TEXT NOT NULL,
  created_at TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO stock_event_tick (snapshot) VALUES (pg_current_snapshot()::text);
-- Retention prunes by age.
CREATE INDEX stock_event_tick_created_at_idx ON stock_event_tick (created_at);

-- The relay's cursor per JetStream stream, saved only after the broker acked
-- every message up to it, and its lease: one replica relays at a time, and
-- another takes over once the lease of a dead one has run out. (A lease row
-- rather than a session advisory lock: that would pin a pooled connection,
-- which PgBouncer's transaction pooling and PGlite's one connection cannot do.)
CREATE TABLE stock_event_relay (
  stream      VARCHAR(100) PRIMARY KEY,
  tick_id     BIGINT NOT NULL,
  movement_id BIGINT NOT NULL,
  owner       VARCHAR(100) NOT NULL,
  lease_until TIMESTAMPTZ(3) NOT NULL,
  updated_at  TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- Idempotency keys of the admin stock writes (setStock, adjustStock,
-- batchSetStocks). The gateway can time a subgraph call out while the change
-- still commits; the client then retries. With a key, the retry gets the first
-- answer instead of changing stock a second time.
--
-- A change claims its key first, in its own transaction (INSERT … ON CONFLICT
-- DO NOTHING). The primary key is what serialises duplicates: a concurrent
-- duplicate's INSERT waits for the first transaction to commit or roll back,
-- then sees its outcome. A change that fails rolls its claim back with it, so a
-- failed first attempt leaves the key free for a corrected retry.
CREATE TABLE stock_request (
  request_id VARCHAR(100) PRIMARY KEY,
  operation  VARCHAR(20) NOT NULL
    CONSTRAINT stock_request_operation_check CHECK (operation IN ('SET_STOCK', 'ADJUST_STOCK', 'BATCH_SET_STOCKS')),
  -- The validated input plus the actor: a repeat must send the same, or it
  -- fails with IDEMPOTENCY_CONFLICT (a key stands for one intended change).
  input      JSONB NOT NULL,
  -- The Inventory rows the change returned, replayed to repeats. NULL only
  -- between the claim and the end of the change, inside the claiming
  -- transaction: a committed row always has its result.
  result     JSONB,
  -- Lets old keys be purged some day; nothing reads it yet.
  created_at TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- The key a change was made under (NULL without one, and for sells, rebacks
-- and imports), so the audit trail ties each movement to the request that made it.
ALTER TABLE stock_movement ADD COLUMN request_id VARCHAR(100);

-- Inventory is the one source of truth for stock: drop the legacy column.
-- Guarded so that no legacy value can be lost and no goods is left without the
-- stock it had: while goods.stocks holds values, the drop waits until
--  (1) every non-null value is in legacy_stock_backup, as it is now, and
--  (2) a reconciliation run has completed, i.e. inventory rows were created for
--      goods that had legacy stock but no inventory row.
-- Both are done by `npm run stocks:reconcile -- --apply`. On a new install (no
-- legacy values) the guard passes trivially.
DO $$
DECLARE
  legacy_values INTEGER;
  unsaved INTEGER;
BEGIN
  SELECT count(*) INTO legacy_values FROM goods WHERE stocks IS NOT NULL;
  IF legacy_values = 0 THEN
    RETURN;
  END IF;
  SELECT count(*) INTO unsaved
  FROM goods g
  WHERE g.stocks IS NOT NULL
    AND NOT EXISTS (
      SELECT 1 FROM legacy_stock_backup b
      WHERE b.goods_id = g.id AND b.legacy_stocks IS NOT DISTINCT FROM g.stocks
    );
  IF unsaved > 0 OR NOT EXISTS (SELECT 1 FROM stock_reconcile_run WHERE status = 'completed') THEN
    RAISE EXCEPTION 'goods.stocks still holds % legacy value(s), % of them not backed up, and inventory has not been reconciled',
      legacy_values, unsaved
      USING HINT = 'Run `npm run stocks:reconcile` (dry run), then `npm run stocks:reconcile -- --apply`, then `npm run db:migrate` again.';
  END IF;
END $$;

ALTER TABLE goods DROP COLUMN stocks;

-- Inventory is the one source of truth for stock: drop the legacy column.
-- Guarded so that no legacy value is lost and no goods loses the stock it had.
-- While goods.stocks holds any value, the drop waits until
--  (1) every non-null value is in legacy_stock_backup with the value it has now
--      (a value the old application changed after its backup is backed up again
--      by the next apply), and
--  (2) a reconciliation run completed no earlier than the newest backup. A
--      backup alone is not enough: apply backs up a batch *before* it creates
--      that batch's missing inventory rows, in the inventory database, which
--      this one cannot see; only a completed run proves that every backed-up
--      goods got its inventory row. "Since the newest backup" rather than "ever"
--      covers a later apply (say, for goods the old application added meanwhile)
--      that was interrupted between its backups and its inventory rows.
-- `npm run stocks:reconcile -- --apply` establishes both. Without legacy values
-- (every new install) the guard passes trivially. The lock keeps writers out
-- between the check and the drop; readers wait only for this short transaction.
LOCK TABLE goods IN ACCESS EXCLUSIVE MODE;

DO $$
DECLARE
  legacy_values INTEGER;
  unsaved INTEGER;
  reconciled BOOLEAN;
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
      WHERE b.goods_id = g.id AND b.legacy_stocks = g.stocks
    );
  -- The same condition as isReconciled() in subgraphs/inventory/src/reconcile/apply.ts.
  SELECT EXISTS (
    SELECT 1 FROM stock_reconcile_run r
    WHERE r.status = 'completed'
      AND r.finished_at >= coalesce((SELECT max(backed_up_at) FROM legacy_stock_backup), '-infinity')
  ) INTO reconciled;
  IF unsaved > 0 OR NOT reconciled THEN
    RAISE EXCEPTION 'goods.stocks still holds % legacy value(s), % of them not backed up%: run `npm run stocks:reconcile -- --apply` first, then `npm run db:migrate` again',
      legacy_values, unsaved,
      CASE WHEN reconciled THEN '' ELSE ', and no reconciliation has completed since the last backup' END
      USING HINT = '`npm run stocks:reconcile` alone is a dry run: it reports what --apply would do and changes nothing.';
  END IF;
END $$;

ALTER TABLE goods DROP COLUMN stocks;

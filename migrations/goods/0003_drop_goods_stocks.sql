-- Inventory is the one source of truth for stock: drop the legacy column.
-- Guarded so that no legacy value can be lost: every non-null goods.stocks must
-- have been backed up by `npm run stocks:reconcile -- --apply` first. On a new
-- install (no legacy values) the guard passes trivially.
DO $$
DECLARE
  unsaved INTEGER;
BEGIN
  SELECT count(*) INTO unsaved
  FROM goods g
  WHERE g.stocks IS NOT NULL
    AND NOT EXISTS (
      SELECT 1 FROM legacy_stock_backup b
      WHERE b.goods_id = g.id AND b.legacy_stocks IS NOT DISTINCT FROM g.stocks
    );
  IF unsaved > 0 THEN
    RAISE EXCEPTION 'goods.stocks still holds % legacy value(s) that are not backed up', unsaved
      USING HINT = 'Run `npm run stocks:reconcile -- --apply` first, then `npm run db:migrate` again.';
  END IF;
END $$;

ALTER TABLE goods DROP COLUMN stocks;

-- Every change to goods sends NOTIFY catalog_changed with the payload 'goods',
-- like 0004 does for the category tree and brands. The goods subgraph
-- remembers goods counts per filter (`total`, `totalUpTo`;
-- subgraphs/goods/src/count-memo.ts) and every replica forgets them on this
-- notification. Statement-level, so an import of many rows notifies once per
-- statement, and PostgreSQL folds identical notifications of a transaction
-- into one, delivered at commit (never for a rollback). Goods hold no stock
-- (inventory owns it): sells and stock changes never fire this.
CREATE TRIGGER goods_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON goods
  FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_changed();

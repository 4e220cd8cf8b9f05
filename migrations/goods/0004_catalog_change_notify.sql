-- Every change to the category tree, the brands or their pairing sends
-- NOTIFY catalog_changed (payload: the table). The goods subgraph keeps these
-- small, read-mostly tables in memory (subgraphs/goods/src/catalog-cache.ts)
-- and drops its copy on each notification, in every replica. A trigger rather
-- than a NOTIFY from the resolvers: writes from anywhere (an import, psql, a
-- future service) invalidate too. Statement-level: one notification per
-- statement, and PostgreSQL folds identical ones of a transaction into one,
-- delivered at commit (never for a rollback).
CREATE FUNCTION notify_catalog_changed() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('catalog_changed', TG_TABLE_NAME);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER category_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON category
  FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_changed();
CREATE TRIGGER brand_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON brand
  FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_changed();
CREATE TRIGGER category_brand_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON category_brand
  FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_changed();

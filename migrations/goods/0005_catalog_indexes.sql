-- Indexes for goodsList at catalog scale (issue 11, measured by
-- `npm run bench:catalog-scale`, figures in the README, "Catalog at scale").
-- Every list request runs the page (WHERE <filter> ORDER BY id DESC LIMIT/OFFSET)
-- and, when `total` is selected, COUNT(*) over SELECT id WHERE <filter>. The
-- page of most filters is already cheap without them: walking goods_pkey
-- backwards meets 20 matches soon. The count is not: without an index it reads
-- the whole table (~1 s at a million goods). So each btree below ends in `id`
-- (the count selects id): PostgreSQL counts from the index alone (index-only
-- scan), and can serve a rare value's `<column> = x ORDER BY id DESC` from it.
-- The GIN trigram indexes answer ILIKE '%keyword%', which no btree can.
-- Left out because they did not pay in the bench: an index for onSale (true for
-- ~90% of goods: its count stays one of most rows either way), brand_id with id
-- (goods_brand_id_idx already counts a brand in a few ms), and replacing
-- goods_category_id_idx by the composite below (the single-column,
-- deduplicated index counts whole subtrees faster).
--
-- Locks: the runner applies this file in one transaction, where CREATE INDEX
-- CONCURRENTLY is not allowed. Plain CREATE INDEX takes a SHARE lock on goods
-- until commit: reads go on, but inserts, updates and deletes of goods wait for
-- all the builds (about a minute per million goods on a 2-core machine; the
-- bench prints the figure). That is fine for a new or small shop. For a live
-- shop with a big catalog, an operator builds the indexes first, without
-- blocking writes, by running each CREATE INDEX statement below by hand as
-- CREATE INDEX CONCURRENTLY IF NOT EXISTS … (outside a transaction, after
-- CREATE EXTENSION pg_trgm), then deploys: every statement here is IF NOT
-- EXISTS, so this file then only records itself. A CONCURRENTLY build that
-- fails leaves an invalid index behind that IF NOT EXISTS would accept; the
-- check at the end refuses to record the migration over one (drop it and build
-- it again).

-- Index builds sort; a larger budget than the 64MB default shortens them (and the lock).
SET LOCAL maintenance_work_mem = '256MB';

-- topCategory + price range: category_id IN (the subtree) AND shop_price BETWEEN.
CREATE INDEX IF NOT EXISTS goods_category_id_shop_price_id_idx ON goods (category_id, shop_price, id);
-- priceMin/priceMax alone.
CREATE INDEX IF NOT EXISTS goods_shop_price_id_idx ON goods (shop_price, id);
-- isHot / isNew (~15% of goods each, either value).
CREATE INDEX IF NOT EXISTS goods_is_hot_id_idx ON goods (is_hot, id);
CREATE INDEX IF NOT EXISTS goods_is_new_id_idx ON goods (is_new, id);

-- keywords: Prisma's `contains` + `mode: insensitive` sends
-- name ILIKE '%kw%' OR brief ILIKE '%kw%'; a trigram index on each column lets
-- PostgreSQL OR two bitmap scans instead of reading every row. Trigrams are
-- case-folded, so ILIKE uses them, and they work for Chinese text too (the
-- database's LC_CTYPE classifies CJK as letters; C.UTF-8 and the usual UTF-8
-- locales do, plain "C" does not). A keyword of fewer than 3 characters yields no
-- trigram and falls back to scanning.
-- pg_trgm is a contrib extension, trusted since PostgreSQL 13 (a database owner
-- may create it; a role that may not has a superuser run CREATE EXTENSION
-- pg_trgm once beforehand). Embedded PGlite has it only when loaded at start
-- (prisma/src/pglite-extensions.ts: the project's PGlites all load it); a bare
-- PGlite without it gets no trigram indexes, with a notice. A real PostgreSQL
-- without contrib fails here, loudly, rather than leaving every keyword search
-- a full scan.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
  ELSIF version() LIKE '%PGlite%' THEN
    RAISE NOTICE 'pg_trgm is not loaded into this PGlite: keyword search works, without trigram indexes';
    RETURN;
  ELSE
    RAISE EXCEPTION 'the pg_trgm extension is not available on this PostgreSQL server'
      USING HINT = 'install the server''s contrib package (e.g. postgresql-contrib), then run the migrations again';
  END IF;
  CREATE INDEX IF NOT EXISTS goods_name_trgm_idx ON goods USING gin (name gin_trgm_ops);
  CREATE INDEX IF NOT EXISTS goods_brief_trgm_idx ON goods USING gin (brief gin_trgm_ops);
END $$;

DO $$
DECLARE
  invalid TEXT;
BEGIN
  SELECT string_agg(c.relname, ', ') INTO invalid
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
  WHERE i.indrelid = 'goods'::regclass AND NOT i.indisvalid;
  IF invalid IS NOT NULL THEN
    RAISE EXCEPTION 'invalid index(es) on goods: % (left by a failed CREATE INDEX CONCURRENTLY?)', invalid
      USING HINT = 'DROP INDEX CONCURRENTLY each of them, build it again, then run the migrations again';
  END IF;
END $$;

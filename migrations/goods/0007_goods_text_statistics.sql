-- Finer statistics for goods names and briefs, so the planner's estimate of a
-- keyword (`name ILIKE '%kw%' OR brief ILIKE '%kw%'`) is close enough to pick
-- the right plan for the page (`ORDER BY id DESC LIMIT 21`).
--
-- PostgreSQL estimates an unanchored pattern by trying it on the column's
-- histogram entries, with a floor of 0.01% when none match. With the default
-- 100 entries a keyword in 3% of names matches none of them in some ANALYZE
-- samples: estimated 100 rows of a million instead of 25,000, the planner then
-- reads every match through the trigram indexes and sorts them (206 ms of SQL
-- measured by `npm run bench:catalog-scale`) instead of walking goods_pkey
-- backwards until it has 20 (1.4 ms). With 1,000 entries such a keyword
-- matches about 30 of them; a rare one (0.07%) still matches none or one,
-- and for it the trigram bitmap is the right plan. ANALYZE then samples
-- 300,000 rows instead of 30,000 (a few seconds at a million goods, by
-- autovacuum or here).
ALTER TABLE goods ALTER COLUMN name SET STATISTICS 1000;
ALTER TABLE goods ALTER COLUMN brief SET STATISTICS 1000;
ANALYZE goods (name, brief);

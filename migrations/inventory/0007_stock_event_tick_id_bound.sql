-- An upper bound on the movement ids of each tick's batch: the movement id
-- sequence's last value, read after the tick's snapshot was taken. Every
-- movement of batch k committed before snapshot k, so its id was taken before
-- it too and cannot exceed the bound. A reader resuming inside a big batch
-- (the relay after an import, or a backlog) then scans the primary key from
-- its cursor to the bound instead of the whole batch on every page. NULL on
-- ticks taken before this migration: those batches are read without it.
ALTER TABLE stock_event_tick ADD COLUMN id_bound BIGINT;

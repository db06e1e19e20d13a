-- More room on each page of `executions` for the new versions of its rows. Runs with
-- `search_path` set to the store's schema, like 001.
--
-- An execution's row is updated a few times within moments of its insert (each step's result).
-- PostgreSQL can write the new version on the same page without touching any index (a HOT
-- update) only when that page has room; at fillfactor 80 the newest pages were full, and most
-- updates wrote a new entry into each of the table's indexes. At 50, every update that changes no
-- indexed column is HOT again (measured: HOT updates 19 % -> 33 % of all, the rest change
-- `status`; server CPU per workflow -10 %, steady-state throughput +8 %; docs/performance.md).
-- Applies to pages filled from now on; existing pages keep their layout (no table rewrite).

ALTER TABLE executions SET (fillfactor = 50);

-- Retention: finished executions by completion time, so that a purge batch walks only the rows it
-- deletes. Without it, each batch read the old unfinished executions (long-running, pending
-- behind a backlog) and the finished ones that completed after the cutoff again, through the
-- creation or status index. Finished rows only: an execution enters it when it finishes (an
-- update that changes `status`, which moves the row's index entries anyway). Runs with
-- `search_path` set to the store's schema, like 001. On a large existing table the build holds
-- writes to `executions` for its duration (once, at the first start after the upgrade: about a
-- second per million rows measured on narrow rows). IF NOT EXISTS: an operator may build it first
-- without holding writes, with CREATE INDEX CONCURRENTLY and this definition (README, Retention).
-- Such a build that failed (cancelled, past a lock_timeout) leaves the index behind marked
-- invalid: used by no query, yet updated by every write, and IF NOT EXISTS would keep it. It is
-- dropped first, unless a build of it is still under way (which IF NOT EXISTS then keeps).

DO $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM pg_index
     WHERE indexrelid = to_regclass('executions_finished_completed') AND NOT indisvalid
  ) AND NOT EXISTS (
    SELECT 1 FROM pg_stat_progress_create_index
     WHERE index_relid = to_regclass('executions_finished_completed')
  ) THEN
    DROP INDEX executions_finished_completed;
  END IF;
END $$;

CREATE INDEX IF NOT EXISTS executions_finished_completed ON executions (completed_at)
  WHERE status IN ('completed', 'failed', 'cancelled');

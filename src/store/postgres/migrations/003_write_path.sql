-- Cheaper writes. Runs with `search_path` set to the store's schema, like 001.
--
-- 1. No foreign keys from `steps` and `execution_inputs` to `executions`. Every insert into them
--    checked its parent row with a lookup (and a row lock) of its own, per inserted row. The
--    store writes these rows only in the statement that inserts or (under the epoch fence) updates
--    the parent, joined to the parent rows that statement wrote, so a row without its execution
--    cannot be written; executions are never deleted by the store. (Deleting executions by hand
--    now leaves their steps and input behind: delete those with them.)
-- 2. The idempotency key is indexed only where there is one: most executions have none, and each
--    of them cost an index entry on every insert and on every update that moves the row.
--    Same uniqueness (several executions may have no key).

ALTER TABLE steps DROP CONSTRAINT IF EXISTS steps_execution_id_fkey;
ALTER TABLE execution_inputs DROP CONSTRAINT IF EXISTS execution_inputs_execution_id_fkey;

ALTER TABLE executions DROP CONSTRAINT IF EXISTS executions_idempotency_key_key;
CREATE UNIQUE INDEX IF NOT EXISTS executions_idempotency_key ON executions (idempotency_key)
  WHERE idempotency_key IS NOT NULL;

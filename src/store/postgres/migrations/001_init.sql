-- Initial schema of the PostgreSQL store. Runs with `search_path` set to the store's schema.
-- Executions keep what is filtered, sorted, aggregated or fenced on in real columns and the rest of
-- the record as JSONB in `state` (merged in place by updates). The input lives in its own table:
-- it is written once and never rewritten by the step updates that rewrite the execution row.
-- Keys use the "C" collation so that ORDER BY matches the other adapters (code-point order).
-- Payloads the store only hands back (input, step records, definition bodies) are `json`: kept as
-- written, no conversion cost, and U+0000 allowed.

CREATE TABLE definitions (
  id text COLLATE "C" NOT NULL,
  version integer NOT NULL,
  created_at bigint NOT NULL,
  -- The rest of the definition record (steps, options).
  body json NOT NULL,
  PRIMARY KEY (id, version)
);

-- Rows are rewritten on every step: leave room on each page for HOT updates.
CREATE TABLE executions (
  id text COLLATE "C" NOT NULL PRIMARY KEY,
  workflow_id text COLLATE "C" NOT NULL,
  workflow_version integer NOT NULL,
  status text NOT NULL,
  created_at bigint NOT NULL,
  completed_at bigint,
  idempotency_key text COLLATE "C" UNIQUE,
  owner text COLLATE "C",
  lease_until bigint,
  epoch bigint NOT NULL DEFAULT 0,
  cancel_requested boolean NOT NULL DEFAULT false,
  compensated boolean NOT NULL DEFAULT false,
  steps_run bigint NOT NULL DEFAULT 0,
  steps_retried bigint NOT NULL DEFAULT 0,
  -- Every other field of the execution record, as a JSON object.
  state jsonb NOT NULL
) WITH (fillfactor = 80);

-- Listing newest first, and by status or workflow (newest first within each).
CREATE INDEX executions_created ON executions (created_at DESC, id DESC);
CREATE INDEX executions_status ON executions (status, created_at DESC, id DESC);
CREATE INDEX executions_workflow ON executions (workflow_id, created_at DESC, id DESC);
-- Leases: unfinished executions by owner (renew, release, cancel requests, owners).
CREATE INDEX executions_unfinished_owner ON executions (owner, lease_until)
  WHERE status IN ('pending', 'running', 'compensating');
-- Claims: unfinished executions, oldest first.
CREATE INDEX executions_unfinished_created ON executions (created_at, id)
  WHERE status IN ('pending', 'running', 'compensating');

CREATE TABLE execution_inputs (
  execution_id text COLLATE "C" NOT NULL PRIMARY KEY REFERENCES executions (id) ON DELETE CASCADE,
  input json NOT NULL
);

CREATE TABLE steps (
  execution_id text COLLATE "C" NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
  name text COLLATE "C" NOT NULL,
  -- The whole step record.
  record json NOT NULL,
  PRIMARY KEY (execution_id, name)
) WITH (fillfactor = 80);

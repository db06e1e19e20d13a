-- Initial schema of the SQLite store.
-- Executions keep what is filtered, sorted or aggregated in real columns and the rest of the
-- record as JSON in `state`. The input lives in its own table: it is written once and never
-- rewritten by the step updates that rewrite the execution row.

CREATE TABLE definitions (
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  -- The rest of the definition record (steps, options) as JSON.
  body TEXT NOT NULL,
  PRIMARY KEY (id, version)
) WITHOUT ROWID;

CREATE TABLE executions (
  id TEXT NOT NULL PRIMARY KEY,
  workflow_id TEXT NOT NULL,
  workflow_version INTEGER NOT NULL,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  completed_at INTEGER,
  idempotency_key TEXT UNIQUE,
  owner TEXT,
  lease_until INTEGER,
  epoch INTEGER NOT NULL DEFAULT 0,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  compensated INTEGER NOT NULL DEFAULT 0,
  steps_run INTEGER NOT NULL DEFAULT 0,
  steps_retried INTEGER NOT NULL DEFAULT 0,
  -- Every other field of the execution record, as a JSON object.
  state TEXT NOT NULL
);

-- Listing newest first, and by status or workflow (newest first within each).
CREATE INDEX executions_created ON executions (created_at DESC, id DESC);
CREATE INDEX executions_status ON executions (status, created_at DESC, id DESC);
CREATE INDEX executions_workflow ON executions (workflow_id, created_at DESC, id DESC);
-- Leases: unfinished executions by owner (renew, release, cancel requests, owners, claims).
CREATE INDEX executions_unfinished_owner ON executions (owner, lease_until)
  WHERE status IN ('pending', 'running', 'compensating');

CREATE TABLE execution_inputs (
  execution_id TEXT NOT NULL PRIMARY KEY REFERENCES executions (id) ON DELETE CASCADE,
  input TEXT NOT NULL
);

CREATE TABLE steps (
  execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  -- The whole step record as JSON.
  record TEXT NOT NULL,
  PRIMARY KEY (execution_id, name)
) WITHOUT ROWID;

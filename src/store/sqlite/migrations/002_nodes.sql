-- The cluster registry: one row per node, replaced by each of its heartbeats and deleted when the
-- node leaves gracefully. Rows of nodes that died stay until someone removes them; readers filter
-- on `last_heartbeat`.

CREATE TABLE nodes (
  id TEXT NOT NULL PRIMARY KEY,
  started_at INTEGER NOT NULL,
  last_heartbeat INTEGER NOT NULL,
  running INTEGER NOT NULL DEFAULT 0,
  queued INTEGER NOT NULL DEFAULT 0,
  capacity INTEGER NOT NULL DEFAULT 0,
  -- Free-form details (host, pid, version, HTTP address), as a JSON object.
  info TEXT NOT NULL
) WITHOUT ROWID;

-- Live nodes: those heard from since a given time.
CREATE INDEX nodes_last_heartbeat ON nodes (last_heartbeat);

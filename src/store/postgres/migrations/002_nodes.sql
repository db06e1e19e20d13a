-- The cluster registry: one row per node, replaced by each of its heartbeats and deleted when the
-- node leaves gracefully. Rows of nodes that died stay until someone removes them; readers filter
-- on `last_heartbeat`. Runs with `search_path` set to the store's schema, like 001.
-- `info` is only handed back, hence `json` (kept as written, U+0000 allowed), as for payloads.

CREATE TABLE nodes (
  id text COLLATE "C" NOT NULL PRIMARY KEY,
  started_at bigint NOT NULL,
  last_heartbeat bigint NOT NULL,
  running bigint NOT NULL DEFAULT 0,
  queued bigint NOT NULL DEFAULT 0,
  capacity bigint NOT NULL DEFAULT 0,
  -- Free-form details (host, pid, version, HTTP address), as a JSON object.
  info json NOT NULL
);

-- Live nodes: those heard from since a given time.
CREATE INDEX nodes_last_heartbeat ON nodes (last_heartbeat);

-- Retention: the counts of the finished executions `purgeFinished` deleted, so that the metrics
-- totals (executions by status, compensations, steps run and retried) keep counting them. One row
-- per workflow, owner and status, added to in the transaction that deletes the executions.
-- `owner` is the owner the executions held ('' for none): a node's metrics count the executions it
-- ran itself, and read the rest from the store (see `aggregateByWorkflow`).

CREATE TABLE purged_counts (
  workflow_id TEXT NOT NULL,
  owner TEXT NOT NULL,
  status TEXT NOT NULL,
  n INTEGER NOT NULL,
  compensated INTEGER NOT NULL,
  steps_run INTEGER NOT NULL,
  steps_retried INTEGER NOT NULL,
  PRIMARY KEY (workflow_id, owner, status)
) WITHOUT ROWID;

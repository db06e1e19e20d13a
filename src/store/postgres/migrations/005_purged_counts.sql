-- Retention: the counts of the finished executions `purgeFinished` deleted, so that the metrics
-- totals (executions by status, compensations, steps run and retried) keep counting them. One row
-- per workflow, owner and status, added to by the statement that deletes the executions. `owner`
-- is the owner the executions held ('' for none): a node's metrics count the executions it ran
-- itself, and read the rest from the store (see `aggregateByWorkflow`). Runs with `search_path`
-- set to the store's schema, like 001.

CREATE TABLE purged_counts (
  workflow_id text COLLATE "C" NOT NULL,
  owner text COLLATE "C" NOT NULL,
  status text NOT NULL,
  n bigint NOT NULL,
  compensated bigint NOT NULL,
  steps_run bigint NOT NULL,
  steps_retried bigint NOT NULL,
  PRIMARY KEY (workflow_id, owner, status)
);

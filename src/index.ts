/**
 * Orchestrator: a durable workflow orchestrator for Node.js.
 *
 * Start with {@link createOrchestrator}; its `workflowEngine` defines and runs workflows.
 * @example
 * ```ts
 * import { createOrchestrator } from 'orchestrator';
 * const orch = await createOrchestrator({
 *   actions: { greet: (input) => ({ hello: (input as { name: string }).name }) },
 * });
 * await orch.workflowEngine.defineWorkflow('hello', [{ name: 'greet' }]);
 * const id = await orch.workflowEngine.executeWorkflow('hello', { name: 'Ada' });
 * const status = await orch.workflowEngine.waitForCompletion(id);
 * await orch.close();
 * ```
 * @module
 */

export type { LoadBalancerOptions } from './balancing/load-balancer.js';
/** The least-loaded balancer (`orch.loadBalancer`). */
export { LoadBalancer } from './balancing/load-balancer.js';
export type { Clock, TimerHandle } from './clock.js';
/** Time injection for tests: a fake clock advances virtual time. */
export { FakeClock, systemClock } from './clock.js';
export type { AlertConfig, CompiledConfig, Config, Logger } from './config.js';
/** Config keys, defaults and the logger shape. */
export { DEFAULT_SQLITE_STORE, DEFAULTS } from './config.js';
/** The workflow definition format. */
export type {
  ActionStepDefinition,
  ConditionStepDefinition,
  ParallelStepDefinition,
  RetryOptions,
  StepDefinition,
  WorkflowDefinition,
  WorkflowOptions,
} from './definition/types.js';
export type { PurgeOptions } from './engine/retention.js';
export type { ExecuteOptions, WaitOptions } from './engine/workflow-engine.js';
/** The workflow engine facade (`orch.workflowEngine`): define, execute, follow, cancel. */
export { WorkflowEngine } from './engine/workflow-engine.js';
export type { ErrorInfo, Issue } from './errors.js';
/** The error hierarchy; every error has a stable string `code`. */
export {
  ActionNotFoundError,
  CancelledError,
  ClosedError,
  CompensationNotFoundError,
  ConflictError,
  ExecutionNotFoundError,
  ExpressionError,
  LeaseLostError,
  NonRetryableError,
  NoWorkersError,
  OrchestratorError,
  StepTimeoutError,
  TimeoutError,
  ValidationError,
  WorkflowNotFoundError,
  WorkflowTimeoutError,
} from './errors.js';
export type { EventName, Listener, OrchestratorEvents } from './events.js';
export type { Alert, AlertType } from './monitoring/alerts.js';
/** Metrics and alerts. */
export type { MetricsSnapshot } from './monitoring/metrics.js';
/** Options of the Prometheus exporter behind `GET /metrics`. */
export type { PrometheusOptions } from './monitoring/prometheus.js';
/** Options of `createOrchestrator` and `close`; `EventListeners` is the `on` option (listeners added before recovery). */
export type { CloseOptions, EventListeners, OrchestratorOptions } from './orchestrator.js';
/** Creates an orchestrator: validates config, opens the store, registers handlers, resumes unfinished executions. */
export { createOrchestrator, Orchestrator } from './orchestrator.js';
export type {
  ExecutionStats,
  PerformanceOptimizerOptions,
  StepRunInfo,
  StepStats,
} from './performance/performance-optimizer.js';
/** Timing statistics, bottlenecks and suggestions (`orch.performanceOptimizer`). */
export { PerformanceOptimizer } from './performance/performance-optimizer.js';
export type {
  CompensationResult,
  ErrorRecoveryOptions,
  RetryStepOptions,
} from './recovery/error-recovery.js';
/** Compensation registry, backoff and the seed's retry helpers (`orch.errorRecovery`). */
export { ErrorRecovery } from './recovery/error-recovery.js';
export type { ActionHost } from './remote/action-proxies.js';
/** Errors of remote tasks: `WORKER_LOST` (retryable) and a worker's reported failure. */
export { RemoteTaskError, WorkerLostError } from './remote/errors.js';
/**
 * Remote workers (docs/remote-workers.md): the hub behind `/v1/remote-workers` that queues the
 * tasks of actions served by other processes, and `remoteWorkerHubFor(orch)`, the one `buildApp` uses.
 */
export { RemoteWorkerHub, remoteWorkerHubFor } from './remote/hub.js';
export type { RemoteWorkerHubOptions } from './remote/hub-options.js';
/** Wire shapes of the remote-worker protocol. */
export type {
  FailRequest,
  RegisterResponse,
  RemoteTask,
  RemoteTaskInfo,
  RemoteWorkerInfo,
  RemoteWorkerSummary,
  RemoteWorkersSnapshot,
} from './remote/protocol.js';
export type {
  RemoteActionHandler,
  RemoteTaskContext,
  RemoteWorker,
  RemoteWorkerOptions,
  RemoteWorkerStopOptions,
} from './remote/worker-client.js';
/**
 * A TypeScript remote worker: `createRemoteWorker({ url, token, actions })` registers with the
 * orchestrator's HTTP API, long-polls for tasks, runs the handlers with heartbeats and reports
 * their results; `start()` / `stop()`.
 */
export { createRemoteWorker } from './remote/worker-client.js';
/** Options of {@link buildApp}, extra plugins (a dashboard) and what they receive. */
export type { AppContext, AppOptions, AppPlugin } from './server/app.js';
/**
 * The HTTP API (SPEC §7) as a fastify app around an orchestrator: `await buildApp(orch, { token })`,
 * then `app.listen(...)` or `app.inject(...)`. The caller keeps ownership of the orchestrator.
 */
export { buildApp, DEFAULT_BODY_LIMIT } from './server/app.js';
export type { DashboardOptions } from './server/dashboard/index.js';
/**
 * The web dashboard as a `buildApp` plugin: `buildApp(orch, { plugins: [createDashboard()] })`
 * serves it at `/` (sign-in with the API token).
 */
export { createDashboard } from './server/dashboard/index.js';
export type { MethodNotAllowedPage, NotFoundPage } from './server/not-found-page.js';
/** The engine nodes `GET /v1/workers` lists, and the provider that supplies them. */
export type { NodeInfo, NodesProvider } from './server/routes/monitoring.js';
export type { MemoryStoreOptions } from './store/memory-store.js';
/**
 * The in-memory store (`store: 'memory'`): not durable; keeps unfinished executions and the newest
 * `maxFinished` finished ones. Pass an instance as `store` to choose the limit.
 */
export { MemoryStore } from './store/memory-store.js';
/**
 * A PostgreSQL store whose migration lock another session held past `migrationLockTimeoutMs`
 * (code `STORE_UNAVAILABLE`), with the holder's backend pid.
 */
export { MigrationLockHeldError } from './store/postgres/migration-lock.js';
export type { PostgresStoreOptions } from './store/postgres/options.js';
/**
 * The PostgreSQL store (`store: 'postgres://…'`). Pass an instance as `store` to set its options:
 * `schema`, `poolSize`, `writeLanes` (group-commit queues committing in parallel, default 1),
 * `idleInTransactionTimeoutMs`, `queryTimeoutMs`, `migrationLockTimeoutMs` and `preparedStatements`
 * (false behind PgBouncer in transaction mode; see docs/scaling.md).
 */
export { PostgresStore } from './store/postgres/postgres-store.js';
/** A durable store migrated by a newer release than this one (code `STORE_UNAVAILABLE`). */
export { SchemaTooNewError } from './store/schema-version.js';
export type { SqliteStoreOptions } from './store/sqlite/sqlite-store.js';
/**
 * The SQLite store (`store: 'sqlite:<path>'`, the default). Pass an instance as `store` to choose
 * `synchronous: 'NORMAL'` (no fsync per commit: survives a process crash, not a power loss).
 */
export { SqliteStore } from './store/sqlite/sqlite-store.js';
/** The store port, for custom adapters, with the records and requests its methods take and return. */
export type {
  AggregateFilter,
  AttemptRecord,
  ClaimRequest,
  CompensationRecord,
  CreatePlacement,
  CreateResult,
  DefinitionRecord,
  ExecutionFilter,
  ExecutionPatch,
  ExecutionRecord,
  ExecutionSnapshot,
  ExecutionUpdate,
  HandOverRequest,
  IdempotencyKeyHolder,
  NodeRecord,
  OwnedRead,
  PurgeRequest,
  SkippedVersion,
  StepRecord,
  Store,
  StoreAggregates,
  WorkHint,
} from './store/store.js';
/** Status shapes returned by the engine. */
export type {
  ActionHandler,
  AttemptStatus,
  CompensationHandler,
  CompensationStatus,
  ExecutionState,
  ExecutionStatus,
  ListExecutionsOptions,
  StepContext,
  StepState,
  StepStatus,
} from './types.js';

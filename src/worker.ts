/**
 * `orchestrator/worker`: the remote-worker client alone, for a process that only serves actions
 * over the HTTP API (docs/remote-workers.md). It loads none of the engine, the stores or the
 * HTTP server, so a worker starts faster and smaller than one importing the package root.
 * @module
 */

/** The errors a worker uses and meets: `NonRetryableError` fails a task for good; the options' `ValidationError`. */
export { NonRetryableError, OrchestratorError, ValidationError } from './errors.js';
/** Wire shapes of the remote-worker protocol. */
export type { RemoteTask } from './remote/protocol.js';
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

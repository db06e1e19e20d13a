/**
 * Errors of the remote-worker hub. Step failures (`WORKER_LOST`, a worker's reported error)
 * carry the codes the step's error will show; request errors use codes the HTTP error table
 * already maps (`NOT_FOUND` 404, `CONFLICT` 409, `VALIDATION` 400).
 * @module
 */
import { echo } from '../echo.js';
import { OrchestratorError } from '../errors.js';

/**
 * A remote worker stopped being heard from (no heartbeat within the lease, registration
 * expired, or deregistered) while it held a task. Retryable: the step's retry policy decides.
 */
export class WorkerLostError extends OrchestratorError {
  /** The worker that was lost. */
  readonly workerId: string;
  constructor(workerId: string, taskId: string, why: string) {
    super('WORKER_LOST', `Remote worker '${workerId}' was lost while running task '${taskId}' (${why})`);
    this.workerId = workerId;
  }
}

/**
 * A failure a remote worker reported for a retryable task. Its `code` is the worker's code,
 * else `STEP_FAILED`, so the step's retry policy (and its `nonRetryable` list) applies.
 */
export class RemoteTaskError extends OrchestratorError {
  constructor(code: string | undefined, message: string) {
    super(code ?? 'STEP_FAILED', message);
  }
}

/** A request named a worker id the hub does not know (never registered, expired or removed). */
export class RemoteWorkerNotFoundError extends OrchestratorError {
  constructor(workerId: string) {
    super(
      'NOT_FOUND',
      `Remote worker ${echo(workerId)} is not registered (it expired or was removed): register again`,
    );
  }
}

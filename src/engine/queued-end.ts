/**
 * The end of an execution that never started: cancelled while queued, or past its workflow's
 * timeout before it got a slot (found by the queue's deadline timer, or by its runner when the
 * slot came first: see `runExecution`).
 * @module
 */
import { elapsedMs } from '../clock.js';
import type { ErrorInfo } from '../errors.js';
import type { ActiveExecution } from './active-execution.js';
import type { EngineContext } from './context.js';
import { announceFinished } from './finished.js';
import { persistChange, stateFields } from './persist.js';

/** The error of an execution whose workflow timeout passed before it could start. */
export function queuedTimeoutError(ex: ActiveExecution): ErrorInfo {
  return {
    code: 'WORKFLOW_TIMEOUT',
    message: `Workflow timed out after ${ex.timeoutMs / 1000}s before it could start`,
  };
}

/** Whether `ex` never started and its workflow deadline has passed by `now`. */
export function expiredBeforeStart(ex: ActiveExecution, now: number): boolean {
  const r = ex.record;
  return r.status === 'pending' && r.deadlineAt !== null && r.deadlineAt <= now;
}

/**
 * Ends `ex`, which never left the pending state: cancelled, or failed with `error`; stored, then
 * announced. @throws what the store's write throws (`LeaseLostError`: another node has it).
 */
export async function endQueued(
  ctx: EngineContext,
  ex: ActiveExecution,
  error: ErrorInfo | null,
): Promise<void> {
  const now = ctx.clock.now();
  const status = error ? 'failed' : 'cancelled';
  const r = ex.record;
  const before = stateFields(ex);
  r.status = status;
  r.completedAt = now;
  r.error = error;
  await persistChange(ctx, ex, null, before);
  announceFinished(ctx, ex, 'pending', status, error, elapsedMs(r.createdAt, now));
}

/**
 * What every end of an execution reports once its terminal state is stored, whoever ends it (the
 * runner, or a cancel or timeout of an execution still queued): the balancer, the metrics, the
 * alert monitor, and the terminal event followed by `execution.finished`.
 * @module
 */
import type { ErrorInfo } from '../errors.js';
import type { ExecutionState } from '../types.js';
import type { ActiveExecution } from './active-execution.js';
import type { EngineContext } from './context.js';

/** A terminal execution state. */
export type FinalState = Extract<ExecutionState, 'completed' | 'failed' | 'cancelled'>;

/** Reports that `ex` moved from `from` to the terminal `status` (already stored). */
export function announceFinished(
  ctx: EngineContext,
  ex: ActiveExecution,
  from: ExecutionState,
  status: FinalState,
  error: ErrorInfo | null,
  durationMs: number,
): void {
  const workflowId = ex.record.workflowId;
  // Its worker's load drops as it ends (SPEC §4), before anyone hears of the end: a listener sees
  // the balancer agree with the counts. (The record keeps the worker it ran on, for its status.)
  ctx.loadBalancer.completeWorkflow(ex.id);
  // One that never left the queue (cancelled, or timed out waiting) ran for no time at all: its
  // wait is no execution time for the averages or the execution-time alert.
  const ranMs = from === 'pending' ? null : durationMs;
  ctx.metrics.finished(workflowId, from, status, ranMs);
  ctx.alerts.onExecutionFinished(workflowId, ex.id, ranMs, status === 'failed');
  const { events } = ctx;
  if (!events.has('execution.finished') && !events.has(`execution.${status}`)) return;
  // Each payload written out: a spread that adds keys to a shared base takes V8's slow path.
  const executionId = ex.id;
  if (status === 'completed')
    events.emit('execution.completed', { executionId, workflowId, durationMs, status });
  else if (status === 'cancelled')
    events.emit('execution.cancelled', { executionId, workflowId, durationMs, status });
  else
    events.emit('execution.failed', {
      executionId,
      workflowId,
      durationMs,
      status,
      // Listeners get their own copy of the error; the record keeps the engine's.
      error: error ? { ...error } : { code: 'FAILED', message: 'failed' },
    });
  const ran = ranMs !== null;
  events.emit(
    'execution.finished',
    error
      ? { executionId, workflowId, durationMs, status, ran, error: { ...error } }
      : { executionId, workflowId, durationMs, status, ran },
  );
}

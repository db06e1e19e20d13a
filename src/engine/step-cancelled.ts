/**
 * The `step.cancelled` event of a step (action, parallel, or a branch) closed as cancelled: stopped
 * while it ran or waited for its retry, or left so by a process that stopped and closed when its
 * execution ended on resume.
 * @module
 */
import type { StepRecord } from '../store/store.js';
import type { ActiveExecution } from './active-execution.js';
import type { EngineContext } from './context.js';
import { afterEndWritten } from './stored-ends.js';

/**
 * Emits `step.cancelled` for `rec`, the record as closed (its error and duration set), once it is
 * written with its execution's end (see stored-ends.ts).
 */
export function emitStepCancelled(ctx: EngineContext, ex: ActiveExecution, rec: StepRecord): void {
  const payload = {
    executionId: ex.id,
    workflowId: ex.record.workflowId,
    step: rec.name,
    parent: rec.parent ?? undefined,
    attempt: rec.attempts,
    error: { ...rec.error! },
    durationMs: rec.durationMs ?? 0,
  };
  afterEndWritten(ex, () => ctx.events.emit('step.cancelled', payload));
}

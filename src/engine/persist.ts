/**
 * Writing an execution's state: one store update with the runner-owned fields and the
 * changed step records, under the lease epoch. `wait` writes are awaited (durability
 * points); others are queued into the same group commit and their errors handled here.
 * @module
 */
import { LeaseLostError } from '../errors.js';
import type { StepRecord } from '../store/store.js';
import type { ActiveExecution } from './active-execution.js';
import type { EngineContext } from './context.js';

/** Writes and waits for the commit. Throws `LeaseLostError` if another node took over. */
export function persist(ctx: EngineContext, ex: ActiveExecution, steps: StepRecord[] | null): Promise<void> {
  return ctx.store.update({
    id: ex.id,
    epoch: ex.record.epoch,
    set: ex.snapshot(),
    steps: steps ?? undefined,
  });
}

/** Queues a write without waiting (a later awaited write carries the full state anyway). */
export function persistLater(ctx: EngineContext, ex: ActiveExecution, steps: StepRecord[] | null): void {
  persist(ctx, ex, steps).catch((error: unknown) => {
    ex.forgetWrittenStatus();
    if (error instanceof LeaseLostError) {
      ex.stop('lease');
      return;
    }
    ctx.logger.error({ executionId: ex.id, err: error }, 'background write failed');
  });
}

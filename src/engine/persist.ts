/**
 * Writing an execution's state: one store update with the runner-owned fields and the
 * changed step records, under the lease epoch. `persist` writes are awaited (durability
 * points). `persistLater` writes are owed, not sent: the next `persist` carries them, or, if none
 * comes first, one background write on the next turn of the event loop. A step that finishes
 * within that turn (a fast handler) is so written once, with its result, not twice.
 * @module
 */
import { LeaseLostError } from '../errors.js';
import type { StepRecord } from '../store/store.js';
import type { ActiveExecution } from './active-execution.js';
import type { EngineContext } from './context.js';

/** Writes (with whatever was owed) and waits for the commit. Throws `LeaseLostError` if another node took over. */
export function persist(ctx: EngineContext, ex: ActiveExecution, steps: StepRecord[] | null): Promise<void> {
  return ctx.store.update({
    id: ex.id,
    epoch: ex.record.epoch,
    set: ex.snapshot(),
    steps: withOwed(ex, steps),
  });
}

/**
 * Owes a write without waiting: the state and the latest records of `steps` go with the next
 * `persist`, or in a background write on the next turn of the event loop.
 */
export function persistLater(ctx: EngineContext, ex: ActiveExecution, steps: StepRecord[] | null): void {
  ex.owesWrite = true;
  if (steps) for (const step of steps) ex.owedSteps.add(step.name);
  if (ex.writeScheduled) return;
  ex.writeScheduled = true;
  setImmediate(() => {
    ex.writeScheduled = false;
    // Halted: another node owns it now, or this one shuts down; nothing more is written.
    if (!ex.owesWrite || ex.halted) return;
    persist(ctx, ex, null).catch((error: unknown) => {
      ex.forgetWrittenStatus();
      if (error instanceof LeaseLostError) {
        // Found here, not by the runner: its step now stops without another write, so say it here.
        ex.stop('lease');
        logLeaseLost(ctx, ex);
        return;
      }
      ctx.logger.error({ executionId: ex.id, err: error }, 'background write failed');
    });
  });
}

/** Logs that another node took `ex` over (wherever this node learns it). */
export function logLeaseLost(ctx: EngineContext, ex: ActiveExecution): void {
  ctx.logger.warn(
    { executionId: ex.id, nodeId: ctx.nodeId },
    'lease lost; another node runs this execution now',
  );
}

/** `steps` plus the latest records of the owed steps it does not name; clears what was owed. */
function withOwed(ex: ActiveExecution, steps: StepRecord[] | null): StepRecord[] | undefined {
  ex.owesWrite = false;
  const owed = ex.owedSteps;
  if (owed.size === 0) return steps ?? undefined;
  const out = steps ? [...steps] : [];
  for (const name of owed) {
    if (steps?.some((s) => s.name === name)) continue;
    const rec = ex.steps.get(name);
    if (rec) out.push(rec);
  }
  owed.clear();
  return out.length > 0 ? out : undefined;
}

/**
 * Writing an execution's state: one store update with the runner-owned fields and the
 * changed step records, under the lease epoch. `persist` writes are awaited (durability
 * points). `persistLater` writes are owed, not sent: the next `persist` carries them, or, if none
 * comes first, one background write on the next turn of the event loop. A step that finishes
 * within that turn (a fast handler) is so written once, with its result, not twice.
 * @module
 */
import { LeaseLostError } from '../errors.js';
import type { ExecutionRecord, StepRecord } from '../store/store.js';
import type { ActiveExecution } from './active-execution.js';
import type { EngineContext } from './context.js';

/** Writes (with whatever was owed) and waits for the commit. Throws `LeaseLostError` if another node took over. */
export function persist(ctx: EngineContext, ex: ActiveExecution, steps: StepRecord[] | null): Promise<void> {
  return ctx.store.update({
    id: ex.id,
    epoch: ex.record.epoch,
    set: ex.snapshot(),
    steps: withOwed(ctx, ex, steps),
  });
}

/**
 * Owes a write without waiting: the state and the latest records of `steps` go with the next
 * `persist`, or in a background write on the next turn of the event loop.
 */
export function persistLater(ctx: EngineContext, ex: ActiveExecution, steps: StepRecord[] | null): void {
  ex.owesWrite = true;
  if (steps) for (const step of steps) ex.owedSteps.add(step.name);
  ctx.owedWrites.owe(ex);
}

/**
 * The executions that owe a background write (see `persistLater`), written together on the next
 * turn of the event loop by ONE shared `setImmediate`. An execution whose next `persist` carried
 * what it owed leaves the set at once, so the set holds only executions still owing: while work
 * runs in promise callbacks alone (an in-memory store, handlers that do no I/O), the event loop may
 * not turn for a long time, and nothing finished stays referenced meanwhile.
 */
export class OwedWrites {
  private readonly owing = new Set<ActiveExecution>();
  private scheduled = false;
  private readonly onImmediate = () => {
    this.scheduled = false;
    const list = [...this.owing];
    this.owing.clear();
    for (const ex of list) this.write(ex);
  };

  /** `write` sends one execution's owed write. */
  constructor(private readonly write: (ex: ActiveExecution) => void) {}

  /** Executions owing a write. */
  get size(): number {
    return this.owing.size;
  }

  owe(ex: ActiveExecution): void {
    this.owing.add(ex);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.onImmediate);
  }

  /** `ex` no longer owes: a write carried it. */
  settled(ex: ActiveExecution): void {
    this.owing.delete(ex);
  }
}

/** The background write of what `ex` owes; what it finds out is logged (see `OwedWrites`). */
export function writeOwed(ctx: EngineContext, ex: ActiveExecution): void {
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
}

/** Logs that another node took `ex` over (wherever this node learns it). */
export function logLeaseLost(ctx: EngineContext, ex: ActiveExecution): void {
  ctx.logger.warn(
    { executionId: ex.id, nodeId: ctx.nodeId },
    'lease lost; another node runs this execution now',
  );
}

/** `steps` plus the latest records of the owed steps it does not name; clears what was owed. */
function withOwed(
  ctx: EngineContext,
  ex: ActiveExecution,
  steps: StepRecord[] | null,
): StepRecord[] | undefined {
  if (ex.owesWrite) {
    ex.owesWrite = false;
    ctx.owedWrites.settled(ex);
  }
  const owed = ex.owedSteps;
  if (owed.size === 0) return steps ?? undefined;
  // `steps` itself when it names every owed step (the common case: the step that started is the
  // one whose end is written).
  let out: StepRecord[] | null = null;
  for (const name of owed) {
    if (steps !== null && names(steps, name)) continue;
    const rec = ex.steps.get(name);
    if (!rec) continue;
    out ??= steps ? steps.slice() : [];
    out.push(rec);
  }
  // (Cleared at once: deleting entry by entry shrinks the set's table as it empties, which
  // allocates more than the one new table `clear` makes.)
  owed.clear();
  const all = out ?? steps;
  return all !== null && all.length > 0 ? all : undefined;
}

function names(steps: readonly StepRecord[], name: string): boolean {
  for (let i = 0; i < steps.length; i++) if (steps[i]!.name === name) return true;
  return false;
}

/**
 * `persist` for a change of the execution's state (to compensating, or terminal) already made on
 * `ex.record`: when the write fails, the record's state fields are put back as they were (`before`),
 * so the record still says what is stored and counted in the metrics — a node that lost the
 * execution to another, or gave it up, takes off its counts what it counted, not the state it
 * failed to store.
 */
export function persistChange(
  ctx: EngineContext,
  ex: ActiveExecution,
  steps: StepRecord[] | null,
  before: StateFields,
): Promise<void> {
  // (Not an async function around an await: one callback on the write's promise costs less.)
  const putBack = (error: unknown): never => {
    Object.assign(ex.record, before);
    throw error;
  };
  try {
    return persist(ctx, ex, steps).then(undefined, putBack);
  } catch (error) {
    // A write that failed before it was sent rejects all the same, as any other failed write.
    Object.assign(ex.record, before);
    return Promise.reject(error);
  }
}

/** The fields of an execution record a change of state sets. */
export type StateFields = Pick<
  ExecutionRecord,
  'status' | 'completedAt' | 'error' | 'outcome' | 'compensated'
>;

/** The state fields of `ex`'s record as they are now. */
export function stateFields(ex: ActiveExecution): StateFields {
  const r = ex.record;
  return {
    status: r.status,
    completedAt: r.completedAt,
    error: r.error,
    outcome: r.outcome,
    compensated: r.compensated,
  };
}

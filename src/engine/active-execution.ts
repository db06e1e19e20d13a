/**
 * The in-memory state of one execution this node runs: its record, its step records, the
 * plan it follows, and the abort signal that cancellation, timeout and shutdown share.
 * Memory holds only this cache; every fact that matters after a crash is written to the store.
 * @module
 */
import type { Plan } from '../definition/types.js';
import { CancelledError, ClosedError, LeaseLostError, WorkflowTimeoutError } from '../errors.js';
import type { ExecutionPatch, ExecutionRecord, StepRecord } from '../store/store.js';
import { AbortScope } from './abort-scope.js';

/** Why an execution's work stops: a cancel or the workflow timeout end it (with compensation); a shutdown or a lost lease leave it to whoever runs it next. */
export type StopReason = 'cancel' | 'timeout' | 'shutdown' | 'lease';

/** Stops after which this node must not write anything more. */
export type HaltReason = 'shutdown' | 'lease';

/** A deferred: a promise with its resolver. */
interface Deferred {
  promise: Promise<void>;
  resolve(): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** One execution held by this node. */
export class ActiveExecution {
  record: ExecutionRecord;
  readonly steps: Map<string, StepRecord>;
  readonly plan: Plan;
  /** Outputs of completed steps by name (what handlers see as `ctx.outputs`). */
  readonly outputs: Record<string, unknown> = Object.create(null);
  /** Aborts the steps: cancel, timeout, shutdown, lease loss. */
  readonly scope = new AbortScope();
  /** Aborts compensation too: shutdown and lease loss only. */
  readonly haltScope = new AbortScope();
  stopReason: StopReason | null = null;
  halted: HaltReason | null = null;
  /** Set when the runner left the execution (terminal, or stopped by shutdown / lease loss). */
  private readonly finished = deferred();
  /** Whether it came from recovery rather than from `executeWorkflow`. */
  readonly resumed: boolean;
  /** Whether the runner has started. */
  started = false;
  /**
   * The parallel step at its cursor timed out before this runner entered it — while the execution
   * waited for a slot after a restart — and before any stop came (see `markResumedStepTimeout`):
   * the runner enters it all the same, and it fails with STEP_TIMEOUT, not stopped.
   */
  stepTimedOut = false;
  /**
   * Claimed back from the store (a restart, a dead owner): each attempt start is stored before
   * its handler runs, until a step completes, so that a step which takes its process down at once
   * is counted as interrupted on the next resume (see `maxStepInterruptions`).
   */
  storeStartsFirst = false;
  /**
   * Taken up again by this node after its runner gave it up on a store failure: a step (or
   * compensation) stored as running was not cut short by a process stopping, and runs again without
   * counting against `maxStepInterruptions` (see `StepRecord.excused`).
   */
  retaken = false;
  /**
   * Its runs on this node given up after a store failure in a row, before this one (see
   * `RetakeBackoff`): nothing of theirs was stored in between.
   */
  storeFailures = 0;
  /**
   * This run stored the end of an attempt (of a step, a branch or a compensation): if it is given
   * up after a store failure, that failure is the first in a row (see `RetakeBackoff`).
   */
  progressed = false;
  /**
   * Its running step is only waiting on a timer — a retry's backoff or a `delay`, or a
   * compensation's retry backoff; for a parallel step, every branch that has not ended — with no
   * handler running: a shutdown need not give it a grace period (see {@link waitOnTimer}).
   */
  onTimer = false;
  /** The running parallel step's branches that have not ended, and how many of them wait on a timer. */
  private branchesOpen = 0;
  private branchesOnTimer = 0;
  /** The status the store holds, as far as this runner wrote it. */
  private writtenStatus: ExecutionRecord['status'] | null;
  /**
   * A background write is owed (see `persistLater`): the next write carries the state, and the
   * latest records of these steps.
   */
  owesWrite = false;
  readonly owedSteps = new Set<string>();
  /**
   * Step ends (`step.failed` for good, `step.cancelled`) announced once the write that stores them
   * succeeds (see stored-ends.ts); null when none is held.
   */
  unstoredEnds: (() => void)[] | null = null;
  /**
   * Time the current visit of a step (by name) waited for a remote worker to take its tasks, ms,
   * as the hub reported it (in memory: a restart starts it afresh).
   */
  private queued: Map<string, number> | null = null;

  constructor(record: ExecutionRecord, steps: StepRecord[], plan: Plan, resumed: boolean) {
    this.record = record;
    this.plan = plan;
    this.resumed = resumed;
    this.writtenStatus = record.status;
    this.steps = new Map(steps.map((s) => [s.name, s]));
    for (const s of steps) {
      // A conditional step records a decision and has no output (its record's is stored as null):
      // resumed, it was in `ctx.outputs` and the expressions' `steps`, as it never is in a run
      // not interrupted, and could turn a later condition the other way.
      if (s.of !== undefined || plan.byName.get(s.name)?.kind === 'condition') continue;
      if (s.status === 'completed' && s.output !== undefined) this.outputs[s.name] = s.output;
      else if (s.previousOutput !== undefined) this.outputs[s.name] = s.previousOutput;
    }
  }

  get id(): string {
    return this.record.id;
  }

  /**
   * The workflow timeout this execution runs under, ms: the one its stored deadline was set with
   * at acceptance (a restart with another `workflowTimeout` keeps the deadline, and says so).
   */
  get timeoutMs(): number {
    const { deadlineAt, createdAt } = this.record;
    // `createdAt` is the acceptance time in whole ms (the id's), the deadline counted from the exact one.
    return deadlineAt === null ? this.plan.timeoutMs : Math.floor(deadlineAt - createdAt);
  }

  /**
   * The time the current visit of `step` waited for a remote worker so far, ms (see
   * {@link addQueuedMs}).
   */
  queuedMs(step: string): number | undefined {
    return this.queued?.get(step);
  }

  /**
   * A remote worker's task of `step` waited `ms` more (the map is made on first use: most steps
   * run in process).
   */
  addQueuedMs(step: string, ms: number): void {
    this.queued ??= new Map();
    this.queued.set(step, (this.queued.get(step) ?? 0) + ms);
  }

  /** A new visit of `step` starts counting its wait afresh. */
  clearQueuedMs(step: string): void {
    this.queued?.delete(step);
  }

  /**
   * Runs `wait` (a sleep on this execution's scope) marked as {@link onTimer}. When `draining` (a
   * `close({ grace })` on a durable store), the execution is halted for the shutdown at once instead:
   * nothing runs that a grace period could let finish, and what is stored (the retry's time, the
   * delay's end) resumes it on the next start.
   */
  async waitOnTimer(draining: boolean, wait: () => Promise<void>): Promise<void> {
    if (draining) this.stop('shutdown');
    this.onTimer = true;
    try {
      await wait();
    } finally {
      this.onTimer = false;
    }
  }

  /** A parallel step starts `count` branches (see {@link waitOnBranchTimer}). */
  branchesStarted(count: number): void {
    this.branchesOpen = count;
    this.branchesOnTimer = 0;
  }

  /** One of the parallel step's branches ended; `draining` as for {@link waitOnBranchTimer}. */
  branchEnded(draining: boolean): void {
    this.branchesOpen--;
    this.markBranchTimers(draining);
  }

  /**
   * {@link waitOnTimer} for a branch of a parallel step: its execution is {@link onTimer}, and is
   * halted for a draining shutdown, only once every branch that has not ended waits on a timer (a
   * sibling's running handler gets the grace).
   */
  async waitOnBranchTimer(draining: boolean, wait: () => Promise<void>): Promise<void> {
    this.branchesOnTimer++;
    this.markBranchTimers(draining);
    try {
      await wait();
    } finally {
      this.branchesOnTimer--;
      this.markBranchTimers(false);
    }
  }

  private markBranchTimers(draining: boolean): void {
    this.onTimer = this.branchesOpen > 0 && this.branchesOnTimer === this.branchesOpen;
    if (this.onTimer && draining) this.stop('shutdown');
  }

  /** Aborts the running step (first reason wins); a halt also stops compensation and all writes. */
  stop(reason: StopReason): void {
    let error: Error | null = null;
    if (reason === 'shutdown' || reason === 'lease') {
      if (!this.halted) {
        this.halted = reason;
        error = this.stopError(reason);
        this.haltScope.abort(error);
      }
    }
    if (this.stopReason) return;
    this.stopReason = reason;
    this.scope.abort(error ?? this.stopError(reason));
  }

  /** What handlers' signals abort with (`signal.reason`): an Error with a code, never a bare string. */
  private stopError(reason: StopReason): Error {
    switch (reason) {
      case 'cancel':
        return new CancelledError(`Execution '${this.id}' was cancelled`);
      case 'timeout':
        return new WorkflowTimeoutError(this.id, this.timeoutMs);
      case 'shutdown':
        return new ClosedError(
          `The orchestrator is closing; execution '${this.id}' resumes on the next start`,
        );
      case 'lease':
        return new LeaseLostError(this.id);
    }
  }

  /** Resolves when the runner has let go of the execution. */
  get done(): Promise<void> {
    return this.finished.promise;
  }

  markDone(): void {
    this.finished.resolve();
  }

  /** The fields the runner owns, as one patch (lease and cancel-request fields excluded). */
  snapshot(): ExecutionPatch {
    const r = this.record;
    const patch: ExecutionPatch = {
      error: r.error,
      outcome: r.outcome,
      startedAt: r.startedAt,
      completedAt: r.completedAt,
      workerId: r.workerId,
      cursor: r.cursor,
      transitions: r.transitions,
      lastStep: r.lastStep,
      deadlineAt: r.deadlineAt,
      compensated: r.compensated,
      stepsRun: r.stepsRun,
      stepsRetried: r.stepsRetried,
      completionSeq: r.completionSeq,
      compensatedSteps: r.compensatedSteps,
    };
    // The status goes in only when it changed since the last write (stores can then leave their
    // status index alone); the version never changes after creation.
    if (r.status !== this.writtenStatus) {
      patch.status = r.status;
      this.writtenStatus = r.status;
    }
    return patch;
  }

  /** The store was given `status` for this execution by some other write (e.g. its creation). */
  storedAs(status: ExecutionRecord['status']): void {
    this.writtenStatus = status;
  }

  /** After a write failed: the next snapshot carries the status again. */
  forgetWrittenStatus(): void {
    this.writtenStatus = null;
  }
}

/** A fresh step record (of its `visits`-th visit). */
export function newStepRecord(
  executionId: string,
  name: string,
  parent: string | null,
  visits = 0,
): StepRecord {
  return {
    executionId,
    name,
    parent,
    status: 'pending',
    attempts: 0,
    visits,
    startedAt: null,
    completedAt: null,
    durationMs: null,
    output: null,
    error: null,
    nextAttemptAt: null,
    timerAt: null,
    completionSeq: null,
    decision: null,
    history: [],
    compensation: null,
  };
}

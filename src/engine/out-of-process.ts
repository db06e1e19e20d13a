/**
 * Handlers whose work runs in another process (a remote worker's action, behind the hub's proxy):
 * the process running the engine cannot be taken down by them, so a restart of that process while
 * they wait is not counted against `maxStepInterruptions`.
 * @module
 */
import type { ActionHandler, StepContext } from '../types.js';

const OUT_OF_PROCESS = Symbol('orchestrator.outOfProcess');

/** Marks `handler` as running its work in another process; returns it. */
export function markOutOfProcess<H extends ActionHandler>(handler: H): H {
  Object.defineProperty(handler, OUT_OF_PROCESS, { value: true });
  return handler;
}

/**
 * Where the `ctx` of an out-of-process handler's attempt keeps the engine's callback for the time
 * its task waited for a worker (the engine sets it; other contexts have none).
 */
export const QUEUE_WAIT_SINK = Symbol('orchestrator.queueWaitSink');

/**
 * Tells the engine that the work of the attempt `ctx` belongs to waited `ms` for a worker to take
 * it (queue time is no work of the step: the optimizer keeps it apart). No effect on a context
 * the engine did not make for an out-of-process handler.
 */
export function reportQueueWait(ctx: StepContext, ms: number): void {
  const sink = (ctx as { [QUEUE_WAIT_SINK]?: (ms: number) => void })[QUEUE_WAIT_SINK];
  if (sink !== undefined && ms > 0 && Number.isFinite(ms)) sink(ms);
}

/**
 * Where the `ctx` of an out-of-process handler's attempt keeps the engine's check of its deadlines
 * (see {@link expireAttemptIfLate}; the engine sets it, other contexts have none).
 */
export const EXPIRE_IF_LATE = Symbol('orchestrator.expireIfLate');

/**
 * Ends the attempt `ctx` belongs to as its timers would when the engine's clock is past its step's
 * timeout, or its workflow's (or parallel step's), though that timer has not fired yet: a stalled
 * event loop runs due timers list by list, so a worker's request can come first. Its signal aborts
 * then. Returns whether the attempt is over (false for a context the engine did not make for an
 * out-of-process handler): a remote worker's late result must be refused, not taken and discarded.
 */
export function expireAttemptIfLate(ctx: StepContext): boolean {
  const expire = (ctx as { [EXPIRE_IF_LATE]?: () => boolean })[EXPIRE_IF_LATE];
  return expire?.() === true;
}

/**
 * What the engine gives the attempt of an out-of-process handler, for the hub: where the time its
 * task waited for a worker goes, and its execution's lease.
 */
export interface OutOfProcessHooks {
  /** The attempt's task waited `ms` more for a worker (see {@link reportQueueWait}). */
  queueWait(ms: number): void;
  lease: LeaseCheck;
}

/** The lease of the execution an out-of-process handler's attempt belongs to (see {@link leaseCheckOf}). */
export interface LeaseCheck {
  /** Whether it may have lapsed (this node went a whole lease without renewing, or renewals skipped its row). */
  lapsed(): boolean;
  /** Renews this node's leases, stopping the executions it lost (the attempt's signal aborts then). */
  confirm(): Promise<void>;
}

/**
 * Where the `ctx` of an out-of-process handler's attempt keeps its {@link LeaseCheck} (the engine
 * sets it, other contexts have none).
 */
export const LEASE_CHECK = Symbol('orchestrator.leaseCheck');

/**
 * The lease check of the attempt `ctx` belongs to; undefined for a context the engine did not make
 * for an out-of-process handler. A task queued before its node stalled is handed to a worker only
 * once its lease is confirmed, as a local handler starts no attempt before (`confirmLease`):
 * another node may have claimed the execution and run the step itself meanwhile.
 */
export function leaseCheckOf(ctx: StepContext): LeaseCheck | undefined {
  return (ctx as { [LEASE_CHECK]?: LeaseCheck })[LEASE_CHECK];
}

/** Whether `handler` was marked with {@link markOutOfProcess}. */
export function runsOutOfProcess(handler: ActionHandler | undefined): boolean {
  return handler !== undefined && (handler as { [OUT_OF_PROCESS]?: boolean })[OUT_OF_PROCESS] === true;
}

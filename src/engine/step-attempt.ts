/**
 * Runs one attempt of a handler: applies the attempt timeout, links the execution's abort
 * signal, and races the handler against the signal so a handler that ignores it cannot hold
 * the execution (its late result is discarded).
 * @module
 */
import { type Clock, type TimerHandle, timerTimePassed } from '../clock.js';
import { StepTimeoutError } from '../errors.js';
import { isThenable } from '../thenable.js';
import type { StepContext } from '../types.js';
import { AbortScope } from './abort-scope.js';
import { lazyOutputCopies } from './lazy-outputs.js';
import {
  EXPIRE_IF_LATE,
  LEASE_CHECK,
  type LeaseCheck,
  type OutOfProcessHooks,
  QUEUE_WAIT_SINK,
} from './out-of-process.js';

/** Outcome of one attempt. */
export type AttemptResult =
  | { ok: true; output: unknown }
  | { ok: false; error: unknown; timedOut: boolean; aborted: boolean };

type Handler = (input: unknown, ctx: StepContext) => unknown;

/** Where a handler's `ctx` keeps its attempt's scope. */
const SCOPE = Symbol('attemptScope');
/**
 * Where it keeps the scope behind `ctx.signal`: the attempt's own when it has a timeout, else a
 * child of the execution's made when the handler first reads `ctx.signal` and detached when the
 * attempt ends — so the listeners a handler adds and never removes end with the attempt instead
 * of piling up on one execution-wide signal over a long run of steps.
 */
const SIGNAL_SCOPE = Symbol('signalScope');
/**
 * Set once the attempt ended: a `ctx.signal` first read after that listens to nothing, and is
 * aborted if the attempt's scope is by then (a handler the engine stopped, which runs on and
 * checks its signal after an await, must see it stopped).
 */
const ENDED = Symbol('attemptEnded');
/** The engine's outputs, and the handler's copy of them once read. */
const OUTPUTS = Symbol('outputs');
const OUTPUTS_COPY = Symbol('outputsCopy');
type ScopedContext = StepContext & {
  [SCOPE]: AbortScope;
  [SIGNAL_SCOPE]: AbortScope | undefined;
  [ENDED]: boolean;
  [OUTPUTS]: Readonly<Record<string, unknown>>;
  [OUTPUTS_COPY]: Readonly<Record<string, unknown>> | undefined;
  [QUEUE_WAIT_SINK]: ((ms: number) => void) | undefined;
  [EXPIRE_IF_LATE]: (() => boolean) | undefined;
  [LEASE_CHECK]: LeaseCheck | undefined;
};

function readSignal(this: ScopedContext): AbortSignal {
  const scope = this[SCOPE];
  // (A child of an aborted scope aborts at once and adds no listener to it.)
  this[SIGNAL_SCOPE] ??= new AbortScope(this[ENDED] && !scope.aborted ? undefined : scope);
  return this[SIGNAL_SCOPE].signal;
}

/**
 * `ctx.outputs`: made on first read, each output copied when first read (see `lazyOutputCopies`),
 * so a handler that mutates it changes no recorded output.
 */
function readOutputs(this: ScopedContext): Readonly<Record<string, unknown>> {
  this[OUTPUTS_COPY] ??= lazyOutputCopies(this[OUTPUTS]);
  return this[OUTPUTS_COPY];
}

/**
 * `ctx.signal`: an own, enumerable getter (a handler that spreads `ctx` keeps the signal), created
 * only when read, with ONE getter shared by every context. A getter in the object literal would be
 * a new closure per attempt and make each context a dictionary-mode object (~0.6 KB, slow to build);
 * defined this way, contexts share one fast shape (~0.1 KB).
 */
const SIGNAL: PropertyDescriptor = { get: readSignal, enumerable: true, configurable: true };
const OUTPUTS_GETTER: PropertyDescriptor = { get: readOutputs, enumerable: true, configurable: true };

/**
 * An attempt under way (see {@link beginAttempt}): settled already (`result`), or waiting on its
 * handler's promise (`race`), which its caller awaits and hands to {@link finishRace}.
 */
export class Attempt {
  /** Set when the attempt's own timeout fired (not a stop of its execution). */
  timedOut = false;
  /** The result, once settled. */
  result: AttemptResult | null = null;
  /** The handler's promise raced against the attempt's scope, while the attempt waits on it. */
  race: Promise<unknown> | null = null;
  readonly scope: AbortScope;
  /** The attempt's own scope: `scope`, or its child when the attempt has a timeout. */
  readonly own: AbortScope;
  /** The timer of the attempt's timeout, if it has one. */
  timer: TimerHandle | null = null;
  readonly clock: Clock;
  handlerCtx: ScopedContext | null = null;

  constructor(scope: AbortScope, own: AbortScope, clock: Clock) {
    this.scope = scope;
    this.own = own;
    this.clock = clock;
  }
}

/**
 * Runs `handler(input, ctx)` once. `ctx.signal` aborts when `scope` does or when `timeoutMs`
 * passes. Never throws: failures come back as `{ ok: false }`. `outOfProcess`: for a handler whose
 * work runs in another process (a remote worker's action), what the hub reports to and checks
 * (see `out-of-process.ts`). `what`: what a timeout names (see {@link StepTimeoutError}).
 */
export async function runAttempt(
  handler: Handler,
  input: unknown,
  ctx: Omit<StepContext, 'signal'>,
  scope: AbortScope,
  timeoutMs: number | null,
  clock: Clock,
  outOfProcess?: OutOfProcessHooks,
  what?: string,
): Promise<AttemptResult> {
  const attempt = beginAttempt(handler, input, ctx, scope, timeoutMs, clock, outOfProcess, what);
  if (attempt.race === null) return attempt.result!;
  let ok = true;
  let value: unknown;
  try {
    value = await attempt.race;
  } catch (error) {
    ok = false;
    value = error;
  }
  return finishRace(attempt, ok, value);
}

/**
 * {@link runAttempt} up to its handler's promise, for a caller that awaits it itself (the step
 * runner: one async function and one await less per step). When the handler returned a promise,
 * `race` is set: the caller awaits it and passes what it settled with to {@link finishRace};
 * otherwise `result` is the attempt's result. `what`: what a timeout names (see
 * {@link StepTimeoutError}; the step by default). `startedAt`: when the attempt started, for one
 * that goes on after a restart (a `delay`'s wait): its timeout counts from then, not from now.
 */
export function beginAttempt(
  handler: Handler,
  input: unknown,
  ctx: Omit<StepContext, 'signal'>,
  scope: AbortScope,
  timeoutMs: number | null,
  clock: Clock,
  outOfProcess?: OutOfProcessHooks,
  what?: string,
  startedAt?: number,
): Attempt {
  const now = clock.now();
  scope.expireIfLate(now);
  if (scope.aborted) {
    const ended = new Attempt(scope, scope, clock);
    ended.result = { ok: false, error: scope.reason, timedOut: false, aborted: true };
    return ended;
  }
  const deadline = timeoutMs === null ? undefined : (startedAt ?? now) + timeoutMs;
  let attempt: Attempt;
  if (timeoutMs !== null) {
    const child = new AbortScope(scope);
    const timed = new Attempt(scope, child, clock);
    attempt = timed;
    const expire = () => {
      timed.timedOut = true;
      child.abort(new StepTimeoutError(ctx.stepName, timeoutMs, what));
    };
    // (What is left of it: all of it, but for an attempt that goes on after a restart.)
    const left = Math.max(0, deadline! - now);
    timed.timer = clock.setTimer(expire, left);
    // A handler that returns or throws after its timeout, the timer not fired yet, fails the
    // attempt with STEP_TIMEOUT as the timer would (`expireIfLate`): its late result is not taken.
    // Late by the timer's own time too: a system clock stepped forward is no time the attempt took.
    const timerDue = timerTimePassed(clock, left);
    child.setDeadline(deadline!, () => {
      if (timerDue()) expire();
    });
  } else attempt = new Attempt(scope, scope, clock);
  const attemptScope = attempt.own;
  // What the handler is told: when the attempt ends at the latest, its own timeout or an
  // enclosing one (the workflow's, a parallel step's) if that comes first.
  const endsBy = attemptScope.earliestDeadline();
  // For an out-of-process handler (a remote worker's action): the hub's check that the attempt is
  // not over by its deadlines before it takes a worker's request (see `expireAttemptIfLate`).
  const expireIfLate =
    outOfProcess === undefined
      ? undefined
      : () => {
          if (handlerCtx[ENDED]) return true;
          attemptScope.expireIfLate(clock.now());
          return attemptScope.aborted;
        };
  const handlerCtx = {
    executionId: ctx.executionId,
    workflowId: ctx.workflowId,
    stepName: ctx.stepName,
    attempt: ctx.attempt,
    idempotencyKey: ctx.idempotencyKey,
    deadline: endsBy === Number.POSITIVE_INFINITY ? undefined : endsBy,
    [SCOPE]: attemptScope,
    [SIGNAL_SCOPE]: attemptScope === scope ? undefined : attemptScope,
    [ENDED]: false,
    [OUTPUTS]: ctx.outputs,
    [OUTPUTS_COPY]: undefined,
    [QUEUE_WAIT_SINK]: outOfProcess?.queueWait,
    [EXPIRE_IF_LATE]: expireIfLate,
    [LEASE_CHECK]: outOfProcess?.lease,
  } as ScopedContext;
  Object.defineProperty(handlerCtx, 'signal', SIGNAL);
  Object.defineProperty(handlerCtx, 'outputs', OUTPUTS_GETTER);
  attempt.handlerCtx = handlerCtx;
  let output: unknown;
  try {
    output = handler(input, handlerCtx);
    if (isThenable(output)) {
      attempt.race = attemptScope.race(output);
      return attempt;
    }
  } catch (error) {
    attempt.result = finishAttempt(attempt, false, error);
    return attempt;
  }
  attempt.result = finishAttempt(attempt, true, output);
  return attempt;
}

/**
 * Ends an attempt whose `race` settled: `ok` and the value it resolved with, or false and what it
 * rejected with.
 */
export function finishRace(attempt: Attempt, ok: boolean, value: unknown): AttemptResult {
  const race = attempt.race!;
  attempt.race = null;
  attempt.own.endRace(race);
  attempt.result = finishAttempt(attempt, ok, value);
  return attempt.result;
}

/**
 * The result of an attempt whose handler returned (`ok`) or threw: a stop or timeout that came
 * first (or is due by now) wins. Frees what the attempt held, whatever happens.
 */
function finishAttempt(attempt: Attempt, ok: boolean, value: unknown): AttemptResult {
  const own = attempt.own;
  try {
    if (ok) {
      try {
        own.expireIfLate(attempt.clock.now());
        if (own.aborted) return stoppedResult(attempt);
        return { ok: true, output: value };
      } catch (error) {
        return failedResult(attempt, error);
      }
    }
    return failedResult(attempt, value);
  } finally {
    attempt.timer?.cancel();
    const handlerCtx = attempt.handlerCtx!;
    if (own !== attempt.scope) own.dispose();
    else handlerCtx[SIGNAL_SCOPE]?.dispose();
    handlerCtx[ENDED] = true;
  }
}

function failedResult(attempt: Attempt, error: unknown): AttemptResult {
  const own = attempt.own;
  own.expireIfLate(attempt.clock.now());
  if (own.aborted) return stoppedResult(attempt);
  return { ok: false, error, timedOut: false, aborted: false };
}

function stoppedResult(attempt: Attempt): AttemptResult {
  const timedOut = attempt.timedOut;
  return { ok: false, error: attempt.own.reason, timedOut, aborted: !timedOut };
}

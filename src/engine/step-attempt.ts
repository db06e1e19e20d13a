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
import { EXPIRE_IF_LATE, QUEUE_WAIT_SINK } from './out-of-process.js';

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
 * Runs `handler(input, ctx)` once. `ctx.signal` aborts when `scope` does or when `timeoutMs`
 * passes. Never throws: failures come back as `{ ok: false }`.
 */
export async function runAttempt(
  handler: Handler,
  input: unknown,
  ctx: Omit<StepContext, 'signal'>,
  scope: AbortScope,
  timeoutMs: number | null,
  clock: Clock,
  onQueueWait?: (ms: number) => void,
): Promise<AttemptResult> {
  scope.expireIfLate(clock.now());
  if (scope.aborted) return { ok: false, error: scope.reason, timedOut: false, aborted: true };
  let own: AbortScope = scope;
  let timer: TimerHandle | null = null;
  let timedOut = false;
  const deadline = timeoutMs === null ? undefined : clock.now() + timeoutMs;
  if (timeoutMs !== null) {
    const child = new AbortScope(scope);
    own = child;
    const expire = () => {
      timedOut = true;
      child.abort(new StepTimeoutError(ctx.stepName, timeoutMs));
    };
    timer = clock.setTimer(expire, timeoutMs);
    // A handler that returns or throws after its timeout, the timer not fired yet, fails the
    // attempt with STEP_TIMEOUT as the timer would (`expireIfLate`): its late result is not taken.
    // Late by the timer's own time too: a system clock stepped forward is no time the attempt took.
    const timerDue = timerTimePassed(clock, timeoutMs);
    child.setDeadline(deadline!, () => {
      if (timerDue()) expire();
    });
  }
  const attemptScope = own;
  // For an out-of-process handler (a remote worker's action): the hub's check that the attempt is
  // not over by its deadlines before it takes a worker's request (see `expireAttemptIfLate`).
  const expireIfLate =
    onQueueWait === undefined
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
    deadline,
    [SCOPE]: attemptScope,
    [SIGNAL_SCOPE]: attemptScope === scope ? undefined : attemptScope,
    [ENDED]: false,
    [OUTPUTS]: ctx.outputs,
    [OUTPUTS_COPY]: undefined,
    [QUEUE_WAIT_SINK]: onQueueWait,
    [EXPIRE_IF_LATE]: expireIfLate,
  } as ScopedContext;
  Object.defineProperty(handlerCtx, 'signal', SIGNAL);
  Object.defineProperty(handlerCtx, 'outputs', OUTPUTS_GETTER);
  try {
    let output = handler(input, handlerCtx);
    if (isThenable(output)) {
      const race = attemptScope.race(output);
      try {
        output = await race;
      } finally {
        attemptScope.endRace(race);
      }
    }
    attemptScope.expireIfLate(clock.now());
    if (attemptScope.aborted) return { ok: false, error: attemptScope.reason, timedOut, aborted: !timedOut };
    return { ok: true, output };
  } catch (error) {
    attemptScope.expireIfLate(clock.now());
    if (attemptScope.aborted) return { ok: false, error: attemptScope.reason, timedOut, aborted: !timedOut };
    return { ok: false, error, timedOut: false, aborted: false };
  } finally {
    timer?.cancel();
    if (attemptScope !== scope) attemptScope.dispose();
    else handlerCtx[SIGNAL_SCOPE]?.dispose();
    handlerCtx[ENDED] = true;
  }
}

/**
 * Runs one attempt of a handler: applies the attempt timeout, links the execution's abort
 * signal, and races the handler against the signal so a handler that ignores it cannot hold
 * the execution (its late result is discarded).
 * @module
 */
import type { Clock, TimerHandle } from '../clock.js';
import { OrchestratorError } from '../errors.js';
import type { StepContext } from '../types.js';

/** The reason an attempt's signal aborts when its timeout fires. */
export class StepTimeoutError extends OrchestratorError {
  constructor(step: string, timeoutMs: number) {
    super('STEP_TIMEOUT', `Step '${step}' timed out after ${timeoutMs / 1000}s`);
  }
}

/** Outcome of one attempt. */
export type AttemptResult =
  | { ok: true; output: unknown }
  | { ok: false; error: unknown; timedOut: boolean; aborted: boolean };

type Handler = (input: unknown, ctx: StepContext) => unknown;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

function raceAbort(value: PromiseLike<unknown>, signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    value.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * Runs `handler(input, ctx)` once. `ctx.signal` aborts when `signal` does or when
 * `timeoutMs` passes. Never throws: failures come back as `{ ok: false }`.
 */
export async function runAttempt(
  handler: Handler,
  input: unknown,
  ctx: Omit<StepContext, 'signal'>,
  signal: AbortSignal,
  timeoutMs: number | null,
  clock: Clock,
): Promise<AttemptResult> {
  if (signal.aborted) return { ok: false, error: signal.reason, timedOut: false, aborted: true };
  let attemptSignal = signal;
  let timer: TimerHandle | null = null;
  let unlink: (() => void) | null = null;
  const fired = { timeout: false };
  if (timeoutMs !== null) {
    const c = new AbortController();
    const onParent = () => c.abort(signal.reason);
    signal.addEventListener('abort', onParent, { once: true });
    unlink = () => signal.removeEventListener('abort', onParent);
    timer = clock.setTimer(() => {
      fired.timeout = true;
      c.abort(new StepTimeoutError(ctx.stepName, timeoutMs));
    }, timeoutMs);
    attemptSignal = c.signal;
  }
  try {
    let output = handler(input, { ...ctx, signal: attemptSignal });
    if (isThenable(output)) output = await raceAbort(output, attemptSignal);
    if (attemptSignal.aborted) return failure(attemptSignal.reason, fired.timeout);
    return { ok: true, output };
  } catch (error) {
    if (attemptSignal.aborted) return failure(attemptSignal.reason, fired.timeout);
    return { ok: false, error, timedOut: false, aborted: false };
  } finally {
    timer?.cancel();
    unlink?.();
  }
}

function failure(reason: unknown, timedOut: boolean): AttemptResult {
  return { ok: false, error: reason, timedOut, aborted: !timedOut };
}

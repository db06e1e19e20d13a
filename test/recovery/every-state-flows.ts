/**
 * The workflows and handlers of every-state.test.ts: one execution for each state a process can
 * die in (SPEC §6) — in a handler, in a backoff wait, in a `delay` step, compensating, and queued
 * as `pending` behind `maxConcurrentWorkflows` (4). Every handler call is appended to a ledger
 * file (ledger.ts: a synchronous append survives SIGKILL), as `run` or `undo`.
 * @module
 */
import type { ActionHandler, CompensationHandler, StepDefinition } from '../../src/index.js';
import { appendLedgerLine, type LedgerCall } from './ledger.js';

/** Slots: the last two executions wait as `pending`. */
export const SLOTS = 4;

/**
 * Seconds of the backoff wait and of the `delay` step the process dies in: the states must all be
 * stored before either ends (a slot would free, and a queued execution start).
 */
export const WAIT = 5;

/** Workflow id → its steps. */
export const WORKFLOWS: Record<string, StepDefinition[]> = {
  in_handler: [
    { name: 'a', action: 'ok', compensation: 'undo' },
    { name: 'h', action: 'hold' },
    { name: 'z', action: 'ok' },
  ],
  in_backoff: [
    { name: 'a', action: 'ok' },
    { name: 'f', action: 'flaky', retry: { maxAttempts: 3, initialDelay: WAIT } },
  ],
  in_delay: [
    { name: 'a', action: 'ok' },
    { name: 'd', action: 'delay', input: `{'seconds': ${WAIT}}` },
    { name: 'z', action: 'ok' },
  ],
  compensating: [
    { name: 'a', action: 'ok', compensation: 'undo_hold' },
    { name: 'b', action: 'boom' },
  ],
};

/** The executions started, in order: [label, workflow id]; the last two wait as `pending`. */
export const EXECUTIONS: [string, string][] = [
  ['in_handler', 'in_handler'],
  ['in_backoff', 'in_backoff'],
  ['in_delay', 'in_delay'],
  ['compensating', 'compensating'],
  ['pending_ok', 'in_handler'],
  ['pending_saga', 'compensating'],
];

/** Resolves when `signal` aborts (the handlers that hold never end on their own). */
const held = (signal: AbortSignal) =>
  new Promise<never>((_resolve, reject) => {
    signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
  });

/**
 * The handlers: `hold` (the step) and `undo_hold` (the compensation) never end in the process that
 * is killed (`hold: true`) and return at once in the one that resumes.
 */
export function handlers(
  ledger: string,
  hold: boolean,
): { actions: Record<string, ActionHandler>; compensations: Record<string, CompensationHandler> } {
  const log = (kind: 'run' | 'undo', ctx: LedgerCall) => appendLedgerLine(ledger, kind, ctx);
  return {
    actions: {
      ok: (_input, ctx) => {
        log('run', ctx);
        return { ok: true };
      },
      hold: async (_input, ctx) => {
        log('run', ctx);
        if (hold) await held(ctx.signal);
        return { held: true };
      },
      flaky: (_input, ctx) => {
        log('run', ctx);
        if (ctx.attempt === 1) throw new Error('first attempt fails');
        return { ok: true };
      },
      boom: (_input, ctx) => {
        log('run', ctx);
        throw new Error('boom');
      },
    },
    compensations: {
      undo: (_output, ctx) => {
        log('undo', ctx);
      },
      undo_hold: async (_output, ctx) => {
        log('undo', ctx);
        if (hold) await held(ctx.signal);
      },
    },
  };
}

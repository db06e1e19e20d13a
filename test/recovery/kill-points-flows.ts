/**
 * The workflows and handlers of the kill-point test (kill-points.test.ts), shared by the child
 * process that is killed and the parent that resumes its store. Every handler call, result and
 * compensation is appended to a ledger file, one JSON object a line: appendFileSync is a write(2)
 * that returns after the kernel has the bytes, so a SIGKILL of the writer loses none of them.
 * @module
 */
import { appendFileSync } from 'node:fs';
import {
  type ActionHandler,
  type CompensationHandler,
  NonRetryableError,
  type StepContext,
  type StepDefinition,
} from '../../src/index.js';

/** One line of the ledger. */
export interface LedgerLine {
  t: string;
  phase?: 'start' | 'resume';
  exec?: string;
  step?: string;
  attempt?: number;
  key?: string;
  at?: number;
  flow?: string;
  input?: unknown;
  k?: number;
  what?: string;
}

export interface Flow {
  id: string;
  steps: StepDefinition[];
  timeout?: number;
}

/** Each flow is submitted once per run. `kp_idem` with an idempotency key. */
export const FLOWS: Flow[] = [
  {
    id: 'kp_retry',
    steps: [
      { name: 'a', action: 'work', compensation: 'undo' },
      { name: 'flaky', retry: { maxAttempts: 3, initialDelay: 0.15, backoffCoefficient: 2 } },
      { name: 'slow', timeout: 0.3, retry: { maxAttempts: 2, initialDelay: 0.05 } },
      { name: 'wait', action: 'delay', input: "{'seconds': 0.25}" },
      { name: 'b', action: 'work' },
    ],
  },
  {
    id: 'kp_saga',
    steps: [
      { name: 'a', action: 'work', compensation: 'undo' },
      {
        name: 'fan',
        compensation: 'undo',
        parallel: [
          { name: 'p1', action: 'work', compensation: 'undo' },
          { name: 'p2', action: 'work2', compensation: 'undo' },
        ],
      },
      { name: 'c', action: 'work', compensation: 'undo' },
      { name: 'boom' },
    ],
  },
  {
    id: 'kp_loop',
    steps: [
      { name: 'zero' },
      { name: 'inc', input: "{'n': result.n}", compensation: 'undo' },
      // biome-ignore lint/suspicious/noThenProperty: SPEC §3 names the jump key `then`.
      { name: 'check', condition: 'result.n < 3', then: 'inc' },
      { name: 'boom' },
    ],
  },
  {
    id: 'kp_deadline',
    timeout: 1,
    steps: [{ name: 'a', action: 'work', compensation: 'undo' }, { name: 'hang' }],
  },
  // The child asks for the cancellation while `hold` runs: through the store (as the CLI or
  // another process does) for kp_cancel, through its own engine for kp_cancel_local.
  {
    id: 'kp_cancel',
    steps: [{ name: 'a', action: 'work', compensation: 'undo' }, { name: 'hold' }],
  },
  {
    id: 'kp_cancel_local',
    steps: [{ name: 'a', action: 'work', compensation: 'undo' }, { name: 'hold' }],
  },
  { id: 'kp_idem', steps: [{ name: 'a', action: 'work' }] },
];

export const IDEM_KEY = 'kp-idem-key';

export function ledgerWriter(file: string, phase: 'start' | 'resume') {
  return (line: LedgerLine) => {
    appendFileSync(file, `${JSON.stringify({ ...line, phase, at: line.at ?? Date.now() })}\n`);
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason);
    });
  });
}

const untilAborted = (signal: AbortSignal) => sleep(2 ** 30, signal);

/**
 * The handlers. `point(what, exec)` is called at each handler entry and exit (the child kills
 * itself at one of them); `onHold` when `hold` starts.
 */
export function handlers(
  write: (line: LedgerLine) => void,
  phase: 'start' | 'resume',
  point: (what: string, exec: string) => void,
  onHold: (ctx: StepContext) => void,
): { actions: Record<string, ActionHandler>; compensations: Record<string, CompensationHandler> } {
  const wrap =
    (body: (input: unknown, ctx: StepContext) => Promise<unknown>): ActionHandler =>
    async (input, ctx) => {
      const ref = {
        exec: ctx.executionId,
        step: ctx.stepName,
        attempt: ctx.attempt,
        key: ctx.idempotencyKey,
      };
      write({ t: 'call', ...ref, input });
      point(`call ${ctx.stepName}#${ctx.attempt}`, ctx.executionId);
      try {
        const out = await body(input, ctx);
        write({ t: 'ok', ...ref });
        point(`ok ${ctx.stepName}#${ctx.attempt}`, ctx.executionId);
        return out;
      } catch (error) {
        write({ t: 'fail', ...ref });
        point(`fail ${ctx.stepName}#${ctx.attempt}`, ctx.executionId);
        throw error;
      }
    };
  const work = (ms: number) =>
    wrap(async (_input, ctx) => {
      await sleep(ms, ctx.signal);
      return { step: ctx.stepName };
    });
  return {
    actions: {
      work: work(15),
      work2: work(35),
      zero: wrap(async () => ({ n: 0 })),
      inc: wrap(async (input, ctx) => {
        await sleep(10, ctx.signal);
        return { n: (input as { n: number }).n + 1 };
      }),
      flaky: wrap(async (_input, ctx) => {
        await sleep(5, ctx.signal);
        if (ctx.attempt <= 2) throw Object.assign(new Error('flaky'), { code: 'FLAKY' });
        return { ok: true };
      }),
      slow: wrap(async (_input, ctx) => {
        if (ctx.attempt === 1) await untilAborted(ctx.signal);
        return { slow: ctx.attempt };
      }),
      hang: wrap(async (_input, ctx) => untilAborted(ctx.signal)),
      hold: wrap(async (_input, ctx) => {
        if (phase === 'resume') return { held: false };
        onHold(ctx);
        return untilAborted(ctx.signal);
      }),
      boom: wrap(async (_input, ctx) => {
        await sleep(5, ctx.signal);
        throw new NonRetryableError('boom', { code: 'BOOM' });
      }),
    },
    compensations: {
      undo: async (output, ctx) => {
        const ref = {
          exec: ctx.executionId,
          step: ctx.stepName,
          attempt: ctx.attempt,
          key: ctx.idempotencyKey,
        };
        write({ t: 'comp', ...ref, input: output });
        point(`comp ${ctx.stepName}`, ctx.executionId);
        await sleep(15, ctx.signal);
        write({ t: 'comp-ok', ...ref });
        point(`comp-ok ${ctx.stepName}`, ctx.executionId);
      },
    },
  };
}

/**
 * The workflow and handlers of failed-branch-restart.test.ts, shared by the child it kills and
 * the process that resumes: each handler call is appended to the ledger as
 * `call|comp <step> <attempt> <idempotencyKey>`.
 * @module
 */
import { appendFileSync } from 'node:fs';
import type { OrchestratorOptions, StepContext, StepDefinition } from '../../src/index.js';

export const SAGA_STEPS: StepDefinition[] = [
  { name: 'a', compensation: 'undo' },
  {
    name: 'fan',
    parallel: [
      { name: 'p1', compensation: 'undo' },
      // Fails on every run: its retry, 50 ms after the first run, is its last.
      { name: 'p2', compensation: 'undo', retry: { maxAttempts: 1, initialDelay: 0.05 } },
    ],
  },
];

export function saga(ledger: string): Pick<OrchestratorOptions, 'actions' | 'compensations'> {
  const log = (kind: string, ctx: StepContext) =>
    appendFileSync(ledger, `${kind} ${ctx.stepName} ${ctx.attempt} ${ctx.idempotencyKey}\n`);
  return {
    actions: {
      a: () => 'a',
      p1: async (_input, ctx) => {
        log('call', ctx);
        await new Promise((resolve) => setTimeout(resolve, 20));
        return 'p1';
      },
      p2: (_input, ctx) => {
        log('call', ctx);
        throw new Error('p2 fails');
      },
    },
    compensations: { undo: (_output, ctx) => log('comp', ctx) },
  };
}

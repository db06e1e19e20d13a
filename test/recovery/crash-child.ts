/**
 * A child process for the kill -9 test. `start` defines the workflows and submits executions,
 * then keeps running until it is killed; `resume` reopens the same store (which resumes the
 * unfinished executions) and waits until every execution is terminal. Every handler call is
 * appended to a ledger file (ledger.ts).
 */
import { writeFileSync } from 'node:fs';
import type { StepContext } from '../../src/index.js';
import { createOrchestrator } from '../../src/index.js';
import { appendLedgerLine } from './ledger.js';

const [mode, storeFile, ledger, idsFile, countText] = process.argv.slice(2);
if (!mode || !storeFile || !ledger || !idsFile)
  throw new Error('usage: crash-child start|resume <store> <ledger> <ids> [count]');
const count = Number(countText ?? 60);

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new Error('aborted'));
    });
  });

const log = (kind: string, ctx: StepContext) => appendLedgerLine(ledger, kind, ctx);

const work = (ms: number) => async (input: unknown, ctx: StepContext) => {
  log('start', ctx);
  await sleep(ms, ctx.signal);
  log('end', ctx);
  return { step: ctx.stepName, input };
};

const orch = await createOrchestrator({
  store: `sqlite:${storeFile}`,
  maxConcurrentWorkflows: 20,
  leaseSeconds: 60,
  sweepInterval: 0.2,
  actions: {
    s1: work(20),
    s2: work(40),
    flaky: async (input, ctx) => {
      log('start', ctx);
      await sleep(10, ctx.signal);
      if (ctx.attempt === 1) {
        log('fail', ctx);
        throw new Error('first attempt fails');
      }
      log('end', ctx);
      return { ok: true, input };
    },
    s5: work(30),
    boom: async (_input, ctx) => {
      log('start', ctx);
      await sleep(15, ctx.signal);
      log('fail', ctx);
      throw Object.assign(new Error('permanent'), { code: 'BOOM' });
    },
  },
  compensations: {
    undo: async (_output, ctx) => {
      log('comp-start', ctx);
      await sleep(60, ctx.signal);
      log('comp-end', ctx);
    },
  },
});

if (mode === 'start') {
  const { workflowEngine: engine } = orch;
  await engine.defineWorkflow('ok_flow', [
    { name: 's1', compensation: 'undo' },
    { name: 's2', timeout: 5 },
    { name: 'flaky', retry: { maxAttempts: 3, initialDelay: 0.3 } },
    { name: 'wait', action: 'delay', input: "{'seconds': 0.25}" },
    { name: 's5' },
  ]);
  await engine.defineWorkflow('saga_flow', [
    { name: 's1', compensation: 'undo' },
    { name: 's2', compensation: 'undo' },
    {
      name: 'fan',
      parallel: [
        { name: 'p1', action: 's1', compensation: 'undo' },
        { name: 'p2', action: 's2', compensation: 'undo' },
      ],
    },
    { name: 'boom' },
  ]);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    ids.push(await engine.executeWorkflow(i % 3 === 2 ? 'saga_flow' : 'ok_flow', { n: i }));
  }
  writeFileSync(idsFile, JSON.stringify(ids));
  process.stdout.write('submitted\n');
  // Keep running until the parent kills this process.
  setInterval(() => undefined, 1000);
} else {
  const ids: string[] = JSON.parse((await import('node:fs')).readFileSync(idsFile, 'utf8'));
  const statuses = [];
  for (const id of ids) statuses.push(await orch.workflowEngine.waitForCompletion(id, { timeout: 60 }));
  process.stdout.write(`${JSON.stringify(statuses)}\n`);
  await orch.close();
}

/**
 * The process of the crash-loop test: a step (or a compensation) whose handler kills its own
 * process with SIGKILL at once, before the engine's next turn, the first <crashes> times it runs
 * (counted in the ledger file, which synchronous appends keep across the kill). `start` defines the
 * workflow and submits one execution; `resume` reopens the store, which resumes it. An execution
 * that ends prints its status as JSON and the process exits.
 *   crash-loop-child.ts <store> <ledger> <maxStepInterruptions> <crashes> step|compensation start|resume
 * @module
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { createOrchestrator } from '../../src/index.js';

const [storeFile, ledger, limitText, crashesText, flow, mode] = process.argv.slice(2);
if (!storeFile || !ledger || !limitText || !crashesText || !flow || !mode)
  throw new Error(
    'usage: crash-loop-child.ts <store> <ledger> <limit> <crashes> step|compensation start|resume',
  );
const crashes = Number(crashesText);

const ran = (what: string) =>
  (existsSync(ledger) ? readFileSync(ledger, 'utf8') : '').split('\n').filter((l) => l === what).length;
const note = (what: string) => appendFileSync(ledger, `${what}\n`);
/** Runs `what`: the first `crashes` runs take the process down at once. */
const maybeCrash = (what: string) => {
  const before = ran(what);
  note(what);
  if (before < crashes) process.kill(process.pid, 'SIGKILL');
};

const orch = await createOrchestrator({
  store: `sqlite:${storeFile}`,
  sweepInterval: 0.1,
  leaseSeconds: 1,
  maxStepInterruptions: Number(limitText),
  retryAttempts: 0,
  actions: {
    book: async () => {
      note('book');
      return { booked: true };
    },
    crash: async () => {
      maybeCrash('crash');
      return { done: true };
    },
    fail: async () => {
      note('fail');
      throw new Error('declined');
    },
    after: async () => {
      note('after');
      return {};
    },
  },
  compensations: {
    unbook: async () => {
      if (flow === 'compensation') maybeCrash('unbook');
      else note('unbook');
    },
  },
});
const engine = orch.workflowEngine;
if (mode === 'start') {
  const steps =
    flow === 'step'
      ? [{ name: 'book', compensation: 'unbook' }, { name: 'crash' }, { name: 'after' }]
      : [{ name: 'book', compensation: 'unbook' }, { name: 'fail' }];
  await engine.defineWorkflow('crash_loop', steps);
  const id = await engine.executeWorkflow('crash_loop', {});
  note(`id ${id}`);
}
const id = readFileSync(ledger, 'utf8')
  .split('\n')
  .find((l) => l.startsWith('id '))!
  .slice(3);
const status = await engine.waitForCompletion(id, { timeout: 30 });
process.stdout.write(`${JSON.stringify(status)}\n`);
await orch.close();

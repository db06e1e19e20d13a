/**
 * The process failed-branch-restart.test.ts kills: runs one execution whose parallel step fails
 * (branch `p2` fails for good on its retry) while the completion of its sibling `p1` is still being
 * written, and sends itself SIGKILL as the execution's failure (`compensating`) is about to be
 * written. Every handler call and every write is appended to a ledger file.
 *   failed-branch-child.ts <store file> <ledger file>
 * @module
 */
import { appendFileSync } from 'node:fs';
import { createOrchestrator, SqliteStore } from '../../src/index.js';
import type { ExecutionUpdate } from '../../src/store/store.js';
import { SAGA_STEPS, saga } from './failed-branch-flow.js';

const [file, ledger] = process.argv.slice(2);
if (!file || !ledger) throw new Error('usage: failed-branch-child.ts <store> <ledger>');

const store = new SqliteStore(file);
const update = store.update.bind(store);
store.update = async (u: ExecutionUpdate) => {
  const steps = (u.steps ?? []).map((s) => `${s.name}=${s.status}`).join(',');
  if (u.set?.status === 'compensating') {
    appendFileSync(ledger, `kill before ${steps}\n`);
    process.kill(process.pid, 'SIGKILL');
  }
  // p1's completion is written only once p2's retry ran and failed for good meanwhile.
  if (u.steps?.some((s) => s.name === 'p1' && s.status === 'completed')) await p2Retried;
  appendFileSync(ledger, `write ${steps}\n`);
  return update(u);
};
const flow = saga(ledger);
let retried!: () => void;
/** Resolves on the turn after p2's retry (its last attempt) threw. */
const p2Retried = new Promise<void>((resolve) => {
  retried = resolve;
});
const p2 = flow.actions!.p2!;
flow.actions!.p2 = (input, ctx) => {
  if (ctx.attempt >= 2) setImmediate(retried);
  return p2(input, ctx);
};
const orch = await createOrchestrator({ store, ...flow });
await orch.workflowEngine.defineWorkflow('w', SAGA_STEPS);
const id = await orch.workflowEngine.executeWorkflow('w');
// Killed before this ends: an execution that ends here instead says so and fails the test.
const status = await orch.workflowEngine.waitForCompletion(id);
console.error(`not killed: the execution ended ${status.status}`);
process.exit(1);

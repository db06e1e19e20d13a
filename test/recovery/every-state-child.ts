/**
 * The process every-state.test.ts kills: starts the executions of every-state-flows.ts, waits
 * until the store holds each in the state it is to die in (read through a second connection, so
 * the kill comes after every one of those writes), writes their ids, and sends itself SIGKILL.
 *   every-state-child.ts <store file> <ledger file> <ids file>
 * @module
 */
import { writeFileSync } from 'node:fs';
import { createOrchestrator, SqliteStore } from '../../src/index.js';
import type { ExecutionSnapshot } from '../../src/store/store.js';
import { EXECUTIONS, handlers, SLOTS, WAIT, WORKFLOWS } from './every-state-flows.js';

const [file, ledger, idsFile] = process.argv.slice(2);
if (!file || !ledger || !idsFile) throw new Error('usage: every-state-child.ts <store> <ledger> <ids>');

const orch = await createOrchestrator({
  store: `sqlite:${file}`,
  maxConcurrentWorkflows: SLOTS,
  ...handlers(ledger, true),
});
for (const [id, steps] of Object.entries(WORKFLOWS)) await orch.workflowEngine.defineWorkflow(id, steps);
const ids: Record<string, string> = {};
for (const [label, workflow] of EXECUTIONS) ids[label] = await orch.workflowEngine.executeWorkflow(workflow);

/** Whether the stored snapshot of each execution is in the state it is to die in. */
function inPlace(byLabel: Map<string, ExecutionSnapshot>): boolean {
  const step = (label: string, name: string) => byLabel.get(label)?.steps.find((s) => s.name === name);
  const status = (label: string) => byLabel.get(label)?.execution.status;
  return (
    status('in_handler') === 'running' &&
    step('in_handler', 'h')?.status === 'running' &&
    status('in_backoff') === 'running' &&
    (step('in_backoff', 'f')?.nextAttemptAt ?? null) !== null &&
    status('in_delay') === 'running' &&
    (step('in_delay', 'd')?.timerAt ?? null) !== null &&
    status('compensating') === 'compensating' &&
    step('compensating', 'a')?.compensation?.status === 'running' &&
    status('pending_ok') === 'pending' &&
    status('pending_saga') === 'pending'
  );
}

const reader = new SqliteStore(file);
await reader.init();
// Past the first wait's end the states may never all hold: fail then rather than wait forever.
const giveUpAt = Date.now() + WAIT * 1000;
for (;;) {
  if (Date.now() > giveUpAt) {
    process.stdout.write(`the executions did not reach their states within ${WAIT} s\n`);
    process.exit(3);
  }
  const byLabel = new Map<string, ExecutionSnapshot>();
  for (const [label, id] of Object.entries(ids)) {
    const snapshot = await reader.getExecution(id);
    if (snapshot) byLabel.set(label, snapshot);
  }
  if (inPlace(byLabel)) break;
  await new Promise((resolve) => setTimeout(resolve, 20));
}
writeFileSync(idsFile, JSON.stringify(ids));
process.kill(process.pid, 'SIGKILL');

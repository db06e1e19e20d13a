/**
 * The process the kill-point test kills: runs every flow of kill-points-flows.ts on one SQLite
 * file and counts "points" (each handler entry and exit, each engine event); at point <killAt>
 * it sends itself SIGKILL: at once (`now`), one turn of the event loop later (`turn`: the writes
 * owed at that moment are under way) or 3 ms later (`late`: they have mostly committed). With
 * `resume` it submits nothing: it resumes what an earlier (killed) run left, to be killed again. Prints `done` and exits if every execution ends first.
 *   kill-points-child.ts <store file> <ledger file> <killAt> now|turn|late
 * @module
 */
import { createOrchestrator, type EventName, SqliteStore } from '../../src/index.js';
import { FLOWS, handlers, IDEM_KEY, ledgerWriter } from './kill-points-flows.js';

const [storeFile, ledger, killAtText, when = '', mode = 'start'] = process.argv.slice(2);
if (!storeFile || !ledger || !killAtText || !['now', 'turn', 'late'].includes(when))
  throw new Error('usage: kill-points-child.ts <store> <ledger> <killAt> now|turn|late [start|resume]');
const killAt = Number(killAtText);
const write = ledgerWriter(ledger, 'start');
const resume = mode === 'resume';

let points = 0;
function point(what: string, exec: string): void {
  points++;
  write({ t: 'point', k: points, what, exec });
  if (points !== killAt) return;
  const kill = () => process.kill(process.pid, 'SIGKILL');
  if (when === 'now') kill();
  else if (when === 'turn') setImmediate(kill);
  else setTimeout(kill, 3);
}

// The other process a cancel request comes from (as `orchestrator cancel` on the same file).
const other = new SqliteStore(storeFile);
await other.init();

const orch = await createOrchestrator({
  store: `sqlite:${storeFile}`,
  // Fewer slots than executions: some wait as `pending` when the kill comes.
  maxConcurrentWorkflows: 4,
  sweepInterval: 0.1,
  ...handlers(write, resume ? 'resume' : 'start', point, (ctx) => {
    if (ctx.workflowId === 'kp_cancel') {
      void other.requestCancel(ctx.executionId).then(() => {
        write({ t: 'cancel-stored', exec: ctx.executionId });
        point('cancel-stored', ctx.executionId);
      });
    } else {
      void orch.workflowEngine.cancelWorkflow(ctx.executionId).then((cancelled) => {
        write({ t: 'cancel-acked', exec: ctx.executionId, what: String(cancelled) });
        point('cancel-acked', ctx.executionId);
      });
    }
  }),
});

const EVENTS: EventName[] = [
  'execution.created',
  'step.started',
  'step.completed',
  'step.failed',
  'step.decided',
  'execution.compensating',
  'compensation.started',
  'compensation.completed',
  'execution.finished',
];
for (const event of EVENTS) {
  orch.on(event, (payload) => point(event, (payload as { executionId: string }).executionId));
}

const engine = orch.workflowEngine;
if (resume) {
  // A second run on the store: it resumed what the first left unfinished at start.
  for (const s of await other.listExecutions({ limit: 1000 })) {
    await engine.waitForCompletion(s.execution.id, { timeout: 30 });
  }
} else {
  for (const flow of FLOWS) {
    await engine.defineWorkflow(flow.id, flow.steps, flow.timeout ? { timeout: flow.timeout } : undefined);
  }
  const ids: string[] = [];
  for (const [i, flow] of FLOWS.entries()) {
    const id = await engine.executeWorkflow(
      flow.id,
      { n: i },
      flow.id === 'kp_idem' ? { idempotencyKey: IDEM_KEY } : undefined,
    );
    write({ t: 'accepted', exec: id, flow: flow.id });
    ids.push(id);
  }
  for (const id of ids) await engine.waitForCompletion(id, { timeout: 30 });
}
process.stdout.write('done\n');
await orch.close();
await other.close();

/**
 * A cluster node on a host whose clock is off: `Date.now()` runs `SKEW_MS` (argv[3]) ahead of the
 * real time (behind when negative) in this whole process, as on a host with a wrong clock. It opens
 * an orchestrator on the schema in argv[2] (cluster mode, leases of 2 s), defines `chain` (three
 * `step`s of 300 ms each, a workflow timeout of 10 s), submits `COUNT` (argv[4]) executions, prints
 * their ids as one JSON line, and runs until its stdin closes. Each step run is appended to the
 * ledger file argv[5] as `<execution> <step>`. With argv[6] (ms), the clock is right at first and
 * stepped by the skew that long after the ids are printed, as NTP or a resumed VM steps it.
 */
import { appendFileSync } from 'node:fs';

const [schema = '', skew = '0', count = '0', ledger = '', stepAfter = ''] = process.argv.slice(2);
const realNow = Date.now.bind(Date);
// With `stepAfter` (argv[6], ms), the clock is right until then and stepped by the skew after.
let shift = stepAfter === '' ? Number(skew) : 0;
Date.now = () => realNow() + shift;

const { createOrchestrator } = await import('../../src/orchestrator.js');
const { PostgresStore } = await import('../../src/store/postgres/postgres-store.js');
const { PG_URL } = await import('../store/pg-fixture.js');
const { chain, stepRunner } = await import('./skewed-node-chain.js');

const orch = await createOrchestrator({
  store: new PostgresStore(PG_URL, { schema }),
  leaseSeconds: 2,
  sweepInterval: 0.2,
  actions: { step: stepRunner((line) => appendFileSync(ledger, line)) },
});
await orch.workflowEngine.defineWorkflow('chain', chain, { timeout: 10 });
const ids: string[] = [];
for (let i = 0; i < Number(count); i++) ids.push(await orch.workflowEngine.executeWorkflow('chain'));
process.stdout.write(`${JSON.stringify(ids)}\n`);
if (stepAfter !== '') setTimeout(() => (shift = Number(skew)), Number(stepAfter)).unref();
process.stdin.resume();
process.stdin.on('end', () => void orch.close().then(() => process.exit(0)));

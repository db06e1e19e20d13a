/**
 * A cancel repeated from a second node while the first node compensates for an earlier cancel (a
 * retried HTTP request reaching another node, a second caller): the second node does not hold the
 * execution, so it stores a request and waits through the store. It answers true once the
 * execution ended cancelled — also when the saga takes longer than a lease — and the
 * compensation runs once, on the node that runs the execution.
 */
import { describe, expect, it } from 'vitest';
import { createOrchestrator, type Orchestrator, type StepContext } from '../../src/index.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { answerWithin, type Gate, gate, untilAborted } from '../helpers/orchestrator.js';
import { PG_URL } from '../store/pg-fixture.js';
import { perTest } from './per-test.js';

const t = perTest();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Compensation calls, by node. */
type Calls = string[];

async function node(schema: string, name: string, calls: Calls, undoing: Gate, release: Gate) {
  const orch: Orchestrator = await createOrchestrator({
    store: new PostgresStore(PG_URL, { schema }),
    nodeId: name,
    sweepInterval: 0.2,
    leaseSeconds: 2,
    actions: { reserve: () => 'R-1', wait: (_input: unknown, ctx: StepContext) => untilAborted(ctx.signal) },
    compensations: {
      release: async (output: unknown) => {
        calls.push(`${name} ${String(output)}`);
        undoing.open();
        await release.promise;
      },
    },
  });
  t.later(() => orch.close());
  return orch;
}

describe.each([
  ['the first node', 'a'],
  ['the second node', 'b'],
] as const)('a cancel repeated from a second node, the first cancel from %s', (_label, firstFrom) => {
  it('answers true once the saga ended cancelled, longer than a lease; the compensation ran once', async () => {
    const schema = t.schema();
    const calls: Calls = [];
    const undoing = gate();
    const release = gate();
    t.later(() => release.open());
    const a = await node(schema, 'node-a', calls, undoing, release);
    await a.workflowEngine.defineWorkflow('w', [
      { name: 'reserve', compensation: 'release' },
      { name: 'wait' },
    ]);
    const id = await a.workflowEngine.executeWorkflow('w');
    const b = await node(schema, 'node-b', calls, undoing, release);
    for (let i = 0; i < 100 && (await a.workflowEngine.getExecutionStatus(id))?.stepsCompleted !== 1; i++) {
      await sleep(20);
    }
    expect((await b.store.getExecution(id))?.execution.owner).toBe('node-a');

    const first = (firstFrom === 'a' ? a : b).workflowEngine.cancelWorkflow(id);
    await undoing.promise;
    expect((await b.workflowEngine.getExecutionStatus(id))?.status).toBe('compensating');

    const again = b.workflowEngine.cancelWorkflow(id);
    // Not answered while the saga runs, nor given up when it outlasts a lease (2 s).
    expect(await answerWithin(again, 3_000)).toBe('no answer after 3000 ms');
    release.open();
    expect(await answerWithin(again, 10_000)).toBe(true);
    expect(await answerWithin(first, 10_000)).toBe(true);
    const final = await b.workflowEngine.getExecutionStatus(id);
    expect(final?.status).toBe('cancelled');
    expect((await b.store.getExecution(id))?.execution.owner ?? 'node-a').toBe('node-a');
    expect(calls).toEqual(['node-a R-1']);
  }, 30_000);
});

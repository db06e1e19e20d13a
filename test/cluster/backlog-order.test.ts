/**
 * Executions accepted before a restart start before those accepted after it (FIFO by acceptance).
 * A node that closed lets its queued executions go unowned; a node started after it claimed them
 * only as its slots came free, counting the unowned ones in no share, and queued what it claimed
 * behind the work it had accepted meanwhile. New work ran first, and under steady load the old
 * executions waited about one a round, until their workflow timeout failed them unstarted. Now
 * the unowned ones count in the node's share, claimed executions are queued in acceptance order,
 * and the next batch of a backlog larger than one is claimed once half the last one started.
 */
import { expect, it } from 'vitest';
import { createOrchestrator, PostgresStore } from '../../src/index.js';
import { gate, silentLogger } from '../helpers/orchestrator.js';
import { PG_URL } from '../store/pg-fixture.js';
import { perTest } from './per-test.js';

const resources = perTest();

/** Leaves `count` executions of workflow `w` queued and unowned: stored by a node that closed. */
async function leaveBacklog(schema: string, count: number): Promise<void> {
  const hold = gate();
  const first = await createOrchestrator({
    store: new PostgresStore(PG_URL, { schema }),
    logger: silentLogger,
    maxConcurrentWorkflows: 1,
    actions: { work: () => hold.promise },
  });
  await first.workflowEngine.defineWorkflow('w', [{ name: 'work' }]);
  for (let i = 0; i < count; i += 100) {
    const batch = Array.from({ length: Math.min(100, count - i) }, (_, j) =>
      first.workflowEngine.executeWorkflow('w', { old: i + j }),
    );
    await Promise.all(batch);
  }
  // The first one runs (held); the others stay queued. Closing lets them go, nobody's.
  await first.close();
  hold.open();
}

/** A node that records which kind of execution each handler call ran, in order. */
async function nextNode(schema: string, started: string[]) {
  const node = await createOrchestrator({
    store: new PostgresStore(PG_URL, { schema }),
    logger: silentLogger,
    maxConcurrentWorkflows: 2,
    // Rounds run at start and when woken, not on a timer, within the test.
    sweepInterval: 10,
    actions: {
      work: async (input) => {
        started.push(Object.hasOwn(input as object, 'new') ? 'new' : 'old');
        await new Promise((resolve) => setImmediate(resolve));
        return 'done';
      },
    },
  });
  resources.later(() => node.close());
  return node;
}

it.each([
  ['a backlog smaller than a claim batch', 30],
  ['a backlog larger than a claim batch (500)', 620],
])('%s left unowned starts before the work a restarted node accepts next', async (_what, count) => {
  const schema = resources.schema();
  await leaveBacklog(schema, count);
  const started: string[] = [];
  const node = await nextNode(schema, started);
  const fresh: string[] = [];
  for (let i = 0; i < 5; i++) fresh.push(await node.workflowEngine.executeWorkflow('w', { new: i }));
  await Promise.all(fresh.map((id) => node.workflowEngine.waitForCompletion(id, { timeout: 30 })));
  // Every old one (the one the closed node ran among them, run again here) started first.
  expect(started.indexOf('new')).toBe(count);
  expect(started.slice(count)).toEqual(['new', 'new', 'new', 'new', 'new']);
});

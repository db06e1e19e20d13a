/**
 * Found by the cluster chaos fuzz (cluster-fuzz.test.ts, seed 102 with 6 events): a node started
 * the first step of an execution it held in its queue although another node had taken it over
 * meanwhile (its lease had run out while it waited: the node's renewals skipped its locked row),
 * and had already committed that step. An execution that never ran here started its first handler
 * before writing anything, trusting the lease it was created or adopted with, however old.
 * Now one whose known lease has run out by the time it leaves the queue stores its first
 * attempt's start first: the write is fenced, so a lost execution starts nothing.
 */
import { afterAll, expect, it, onTestFinished } from 'vitest';
import { newExecutionId } from '../../src/ids.js';
import { createOrchestrator, PostgresStore } from '../../src/index.js';
import { collectEvents, gate, silentLogger } from '../helpers/orchestrator.js';
import { assertServerReachable, dropSchema, freshSchema, PG_URL } from '../store/pg-fixture.js';
import { claimElsewhere, expectStillElsewhere } from './claimed-elsewhere.js';
import { until } from './harness.js';

const schemas: string[] = [];
afterAll(async () => {
  for (const schema of schemas) await dropSchema(schema);
});

/**
 * A node with one slot, taken by a `blocker` execution held until `hold` opens, and another store
 * on its schema (`other`), for the other node. `runs` lists the executions `rec` ran for.
 * Housekeeping is too rare to run during a test: only the start path is tested.
 */
async function blockedNode() {
  await assertServerReachable();
  const schema = freshSchema();
  schemas.push(schema);
  const other = new PostgresStore(PG_URL, { schema, poolSize: 2 });
  const hold = gate();
  const runs: string[] = [];
  const node = await createOrchestrator({
    store: new PostgresStore(PG_URL, { schema }),
    logger: silentLogger,
    maxConcurrentWorkflows: 1,
    leaseSeconds: 30,
    sweepInterval: 10,
    actions: {
      hold: () => hold.promise,
      rec: (_input, ctx) => {
        runs.push(ctx.executionId);
        return 'done';
      },
    },
  });
  onTestFinished(async () => {
    await node.close();
    await other.close();
  });
  await other.init();
  const engine = node.workflowEngine;
  await engine.defineWorkflow('blocker', [{ name: 'h', action: 'hold' }]);
  await engine.defineWorkflow('w', [{ name: 's1', action: 'rec' }]);
  const events = collectEvents(node, ['step.started']);
  const blocker = await engine.executeWorkflow('blocker');
  await until(() => events.of('step.started').length === 1, 'the blocker to start');
  return { node, other, blocker, hold, runs };
}

/**
 * Another node claims queued execution `id` as if its lease had run out (its clock an hour ahead);
 * then the blocker ends, and `id` must not run here: it stays the other node's, at its epoch.
 */
async function takenOverWhileQueued(rig: Awaited<ReturnType<typeof blockedNode>>, id: string) {
  const { node, other, blocker, hold, runs } = rig;
  const epoch = await claimElsewhere(other, id, Date.now() + 3_600_000);

  hold.open();
  await node.workflowEngine.waitForCompletion(blocker, { timeout: 10 });
  await until(() => node.getLocalLoad().running + node.getLocalLoad().queued === 0, 'the node to let go');
  expect(runs, 'handler runs of the execution another node owns').toEqual([]);
  await expectStillElsewhere(other, id, epoch);
}

it('a queued execution another node took over while it waited does not start its step here', async () => {
  const rig = await blockedNode();
  const queued = await rig.node.workflowEngine.executeWorkflow('w');
  expect(rig.node.getLocalLoad()).toEqual({ running: 1, queued: 1 });
  await takenOverWhileQueued(rig, queued);
});

it('an execution placed here that waited in the queue while another node took it over does not start here', async () => {
  const rig = await blockedNode();
  const { node, other, blocker } = rig;
  // Another node places an execution on this one (its create's notice wakes this node's adoption).
  const like = (await other.getExecution(blocker))!.execution;
  const now = Date.now();
  const placed = newExecutionId(now);
  await other.createExecution({
    ...like,
    id: placed,
    workflowId: 'w',
    createdAt: now,
    status: 'pending',
    startedAt: null,
    workerId: null,
    owner: node.nodeId,
    leaseUntil: now + 30_000,
    epoch: 1,
  });
  await until(() => node.getLocalLoad().queued === 1, 'the placed execution to wait in the queue');
  await takenOverWhileQueued(rig, placed);
});

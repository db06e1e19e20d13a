/**
 * Found by the cluster chaos fuzz (cluster-fuzz.test.ts, seed 102 with 6 events): a node started
 * the first step of an execution it held in its queue although another node had taken it over
 * meanwhile (its lease had run out while it waited: the node's renewals skipped its locked row),
 * and had already committed that step. An execution that never ran here started its first handler
 * before writing anything, trusting the lease it was created or adopted with, however old.
 * Now one whose known lease has run out by the time it leaves the queue stores its first
 * attempt's start first: the write is fenced, so a lost execution starts nothing.
 */
import { afterAll, expect, it } from 'vitest';
import { newExecutionId } from '../../src/ids.js';
import { createOrchestrator, PostgresStore } from '../../src/index.js';
import { collectEvents, gate, silentLogger } from '../helpers/orchestrator.js';
import { assertServerReachable, dropSchema, freshSchema, PG_URL } from '../store/pg-fixture.js';
import { until } from './harness.js';

const schemas: string[] = [];
afterAll(async () => {
  for (const schema of schemas) await dropSchema(schema);
});

it('a queued execution another node took over while it waited does not start its step here', async () => {
  await assertServerReachable();
  const schema = freshSchema();
  schemas.push(schema);
  const store = new PostgresStore(PG_URL, { schema });
  const other = new PostgresStore(PG_URL, { schema, poolSize: 2 });
  const hold = gate();
  const runs: string[] = [];
  // One slot, and housekeeping too rare to run during the test: only the start path is tested.
  const node = await createOrchestrator({
    store,
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
  try {
    await other.init();
    const engine = node.workflowEngine;
    await engine.defineWorkflow('blocker', [{ name: 'h', action: 'hold' }]);
    await engine.defineWorkflow('w', [{ name: 's1', action: 'rec' }]);
    const events = collectEvents(node, ['step.started']);
    const blocker = await engine.executeWorkflow('blocker');
    await until(() => events.of('step.started').length === 1, 'the blocker to start');
    const queued = await engine.executeWorkflow('w');
    expect(node.getLocalLoad()).toEqual({ running: 1, queued: 1 });

    // Another node claims it as if its lease had run out (its clock an hour ahead).
    const now = Date.now();
    const claimed = await other.claimExecutions({
      owner: 'another-node',
      leaseUntil: now + 3_600_000 + 30_000,
      now: now + 3_600_000,
      ids: [queued],
      limit: 1,
    });
    expect(claimed.map((r) => r.id)).toEqual([queued]);

    hold.open();
    await engine.waitForCompletion(blocker, { timeout: 10 });
    await until(() => node.getLocalLoad().running + node.getLocalLoad().queued === 0, 'the node to let go');
    expect(runs, 'handler runs of the execution another node owns').toEqual([]);
    const stored = (await other.getExecution(queued))!.execution;
    expect(stored.owner).toBe('another-node');
    expect(stored.epoch).toBe(claimed[0]!.epoch);
  } finally {
    await node.close();
    await other.close();
  }
});

it('an execution placed here that waited in the queue while another node took it over does not start here', async () => {
  await assertServerReachable();
  const schema = freshSchema();
  schemas.push(schema);
  const store = new PostgresStore(PG_URL, { schema });
  const other = new PostgresStore(PG_URL, { schema, poolSize: 2 });
  const hold = gate();
  const runs: string[] = [];
  const node = await createOrchestrator({
    store,
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
  try {
    await other.init();
    const engine = node.workflowEngine;
    await engine.defineWorkflow('blocker', [{ name: 'h', action: 'hold' }]);
    await engine.defineWorkflow('w', [{ name: 's1', action: 'rec' }]);
    const events = collectEvents(node, ['step.started']);
    const blocker = await engine.executeWorkflow('blocker');
    await until(() => events.of('step.started').length === 1, 'the blocker to start');
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

    // Another node claims it as if its lease had run out (its clock an hour ahead).
    const claimed = await other.claimExecutions({
      owner: 'another-node',
      leaseUntil: now + 3_600_000 + 30_000,
      now: now + 3_600_000,
      ids: [placed],
      limit: 1,
    });
    expect(claimed.map((r) => r.id)).toEqual([placed]);

    hold.open();
    await engine.waitForCompletion(blocker, { timeout: 10 });
    await until(() => node.getLocalLoad().running + node.getLocalLoad().queued === 0, 'the node to let go');
    expect(runs, 'handler runs of the execution another node owns').toEqual([]);
    const stored = (await other.getExecution(placed))!.execution;
    expect(stored.owner).toBe('another-node');
    expect(stored.epoch).toBe(claimed[0]!.epoch);
  } finally {
    await node.close();
    await other.close();
  }
});

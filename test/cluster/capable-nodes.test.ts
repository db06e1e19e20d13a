/**
 * A cluster of mixed nodes (a rolling deploy, nodes serving different workflows): an execution
 * taken by a node that lacks a handler it needs — placed there, or claimed as an orphan — is let
 * go at once and run by a live node that has the handlers, not held for as long as the first node
 * lives.
 */
import { describe, expect, it } from 'vitest';
import { createOrchestrator, type Orchestrator, type OrchestratorOptions } from '../../src/index.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { gate, until } from '../helpers/orchestrator.js';
import { PG_URL } from '../store/pg-fixture.js';
import { perTest } from './per-test.js';

const t = perTest();

async function node(schema: string, options: OrchestratorOptions): Promise<Orchestrator> {
  const orch = await createOrchestrator({
    store: new PostgresStore(PG_URL, { schema }),
    sweepInterval: 0.2,
    leaseSeconds: 1,
    ...options,
  });
  t.later(() => orch.close());
  return orch;
}

/** A 'registration' execution left unfinished in a fresh schema by a node that closed mid-step. */
async function orphanOfClosedNode(): Promise<{ schema: string; id: string }> {
  const schema = t.schema();
  const hold = gate();
  t.later(() => hold.open());
  const first = await node(schema, { actions: { register: () => hold.promise.then(() => 'held') } });
  await first.workflowEngine.defineWorkflow('registration', [{ name: 'register' }]);
  const id = await first.workflowEngine.executeWorkflow('registration');
  await first.close();
  return { schema, id };
}

describe('nodes without the handlers a workflow needs', () => {
  it('an orphan taken by a node without its handler runs on the live node that has it', async () => {
    const { schema, id } = await orphanOfClosedNode();

    // A starts first and takes the orphan at its recovery; it has no 'register' handler.
    const a = await node(schema, { actions: { hello: () => 'hi' } });
    const b = await node(schema, { actions: { register: () => 'registered' } });
    const status = await b.workflowEngine.waitForCompletion(id, { timeout: 5 });
    expect(status.status).toBe('completed');
    expect(status.outputData).toEqual({ register: 'registered' });
    expect(status.workerId).toBe(b.nodeId);
    expect(a.getLocalLoad()).toEqual({ running: 0, queued: 0 });
  }, 20_000);

  it('a submission no live node has the handlers for fails with ACTION_NOT_FOUND where it was submitted', async () => {
    const schema = t.schema();
    const hold = gate();
    t.later(() => hold.open());
    const b = await node(schema, { actions: { hold: () => hold.promise.then(() => 'held') } });
    const a = await node(schema, { actions: { hello: () => 'hi' } });
    await b.workflowEngine.defineWorkflow('hold', [{ name: 'hold' }]);
    await b.workflowEngine.defineWorkflow('registration', [{ name: 'register' }]);
    // b holds four executions, a none: a is the least loaded node, once b sees it.
    for (let i = 0; i < 4; i++) await b.workflowEngine.executeWorkflow('hold');
    await until(() => b.loadBalancer.getWorkers().includes(a.nodeId));
    await until(() => a.loadBalancer.getLoadDistribution()[b.nodeId] === 4);
    // No node has 'register'. Placed on a (the least loaded), it used to be let go by a and wait
    // unowned, while one that b kept failed at once: now each fails on the node that took it, as on
    // a single node.
    for (const submitter of [b, a]) {
      const id = await submitter.workflowEngine.executeWorkflow('registration');
      const status = await submitter.workflowEngine.waitForCompletion(id, { timeout: 5 });
      expect(status.status).toBe('failed');
      expect(status.error).toMatchObject({ code: 'ACTION_NOT_FOUND', step: 'register' });
      expect(status.workerId).toBe(submitter.nodeId);
    }
    expect(a.getLocalLoad()).toEqual({ running: 0, queued: 0 });
  }, 20_000);

  it('an orphan no live node can run waits unowned, then runs where its handler arrives', async () => {
    const { schema, id } = await orphanOfClosedNode();

    const a = await node(schema, { actions: { hello: () => 'hi' } });
    const b = await node(schema, { actions: { hello: () => 'hi' } });
    // Taken and let go: it waits in the store, unowned and unfinished.
    await until(async () => {
      const stored = (await b.store.getExecution(id))?.execution;
      return stored !== undefined && stored.epoch > 1 && stored.owner === null;
    });
    expect((await b.store.getExecution(id))?.execution.status).not.toBe('failed');
    // The handler arrives on b: b claims and runs it.
    b.workflowEngine.registerAction('register', () => 'registered');
    const status = await b.workflowEngine.waitForCompletion(id, { timeout: 5 });
    expect(status.status).toBe('completed');
    expect(status.outputData).toEqual({ register: 'registered' });
    expect(status.workerId).toBe(b.nodeId);
    expect(a.getLocalLoad()).toEqual({ running: 0, queued: 0 });
  }, 20_000);

  it('placement prefers the nodes that have the handlers, whichever node takes the submission', async () => {
    const schema = t.schema();
    const hold = gate();
    t.later(() => hold.open());
    const b = await node(schema, {
      actions: {
        hold: () => hold.promise.then(() => 'held'),
        register: () => 'registered',
        welcome: () => 'hi',
      },
      compensations: { unregister: () => undefined },
    });
    // a lacks the action of one workflow and the compensation of the other.
    const a = await node(schema, { actions: { register: () => 'wrong node' } });
    await b.workflowEngine.defineWorkflow('hold', [{ name: 'hold' }]);
    await b.workflowEngine.defineWorkflow('registration', [{ name: 'register', compensation: 'unregister' }]);
    await b.workflowEngine.defineWorkflow('welcome', [{ name: 'welcome' }]);
    await b.workflowEngine.executeWorkflow('hold');
    await b.workflowEngine.executeWorkflow('hold');
    await until(() => b.loadBalancer.getWorkers().includes(a.nodeId));
    await until(() => a.loadBalancer.getLoadDistribution()[b.nodeId] === 2);
    // a is the least loaded node. Submitted on a, 'welcome' used to run there and fail with
    // ACTION_NOT_FOUND; now every submission goes to b, stored there at once.
    for (const submitter of [a, b]) {
      for (const workflow of ['welcome', 'registration']) {
        const id = await submitter.workflowEngine.executeWorkflow(workflow);
        const status = await b.workflowEngine.waitForCompletion(id, { timeout: 5 });
        expect(status.status).toBe('completed');
        expect(status.workerId).toBe(b.nodeId);
        expect(status.outputData).not.toEqual({ register: 'wrong node' });
        // Placed on b at once, never taken by a and released.
        expect((await b.store.getExecution(id))?.execution.epoch).toBe(1);
      }
    }
  }, 20_000);

  it.each([
    ['with free slots', 100],
    ['with its slots all taken (the old node with many free)', 2],
  ])(
    'placement leaves out a node that advertises no handlers (an earlier release) while a known node will do: %s',
    async (_what, slots) => {
      const schema = t.schema();
      const hold = gate();
      t.later(() => hold.open());
      const b = await node(schema, {
        maxConcurrentWorkflows: slots,
        actions: { welcome: () => 'hi', hold: () => hold.promise.then(() => 'held') },
      });
      await b.workflowEngine.defineWorkflow('welcome', [{ name: 'welcome' }]);
      await b.workflowEngine.defineWorkflow('hold', [{ name: 'hold' }]);
      // b holds two: the old node, idle, is the least loaded.
      await b.workflowEngine.executeWorkflow('hold');
      await b.workflowEngine.executeWorkflow('hold');
      // A live node of a release from before nodes advertised their handlers, idle: the least loaded.
      const old = 'old-release-node/1/abcdef';
      const beat = () =>
        b.store.heartbeat({
          id: old,
          startedAt: 1,
          lastHeartbeat: Date.now(),
          running: 0,
          queued: 0,
          capacity: 100,
          info: { cluster: true, leaseSeconds: 30 },
        });
      await beat();
      const timer = setInterval(() => void beat().catch(() => undefined), 100);
      t.later(() => clearInterval(timer));
      await until(() => b.loadBalancer.getWorkers().includes(old));
      // It may lack 'welcome' (it would fail the step with ACTION_NOT_FOUND): b runs them all.
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push(await b.workflowEngine.executeWorkflow('welcome'));
      // Queued behind the two held ones when b has 2 slots: released, they run on b.
      hold.open();
      for (const id of ids) {
        const status = await b.workflowEngine.waitForCompletion(id, { timeout: 5 });
        expect(status.status).toBe('completed');
        expect(status.workerId).toBe(b.nodeId);
      }
    },
    20_000,
  );
});

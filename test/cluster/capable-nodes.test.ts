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

describe('nodes without the handlers a workflow needs', () => {
  it('an orphan taken by a node without its handler runs on the live node that has it', async () => {
    const schema = t.schema();
    const hold = gate();
    t.later(() => hold.open());
    const first = await node(schema, { actions: { register: () => hold.promise.then(() => 'held') } });
    await first.workflowEngine.defineWorkflow('registration', [{ name: 'register' }]);
    const id = await first.workflowEngine.executeWorkflow('registration');
    await first.close();

    // A starts first and takes the orphan at its recovery; it has no 'register' handler.
    const a = await node(schema, { actions: { hello: () => 'hi' } });
    const b = await node(schema, { actions: { register: () => 'registered' } });
    const status = await b.workflowEngine.waitForCompletion(id, { timeout: 5 });
    expect(status.status).toBe('completed');
    expect(status.outputData).toEqual({ register: 'registered' });
    expect(status.workerId).toBe(b.nodeId);
    expect(a.getLocalLoad()).toEqual({ running: 0, queued: 0 });
  }, 20_000);

  it('an execution placed on a node without its handler runs on the live node that has it', async () => {
    const schema = t.schema();
    const hold = gate();
    t.later(() => hold.open());
    const b = await node(schema, {
      actions: { hold: () => hold.promise.then(() => 'held'), register: () => 'registered' },
    });
    const a = await node(schema, { actions: { hello: () => 'hi' } });
    await b.workflowEngine.defineWorkflow('hold', [{ name: 'hold' }]);
    await b.workflowEngine.defineWorkflow('registration', [{ name: 'register' }]);
    // b holds two executions, a none: a is the least loaded node, once b sees it.
    await b.workflowEngine.executeWorkflow('hold');
    await b.workflowEngine.executeWorkflow('hold');
    await until(() => b.loadBalancer.getWorkers().includes(a.nodeId));
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(await b.workflowEngine.executeWorkflow('registration'));
    for (const id of ids) {
      const status = await b.workflowEngine.waitForCompletion(id, { timeout: 5 });
      expect(status.status).toBe('completed');
      expect(status.workerId).toBe(b.nodeId);
    }
    expect(a.getLocalLoad()).toEqual({ running: 0, queued: 0 });
  }, 20_000);
});

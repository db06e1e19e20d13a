/**
 * A rolling upgrade from a release before definition format 2 (the expression fixes of 2026-12):
 * a version with a condition or input expression is placed only on nodes that read format 2, so a
 * node of the previous release (its heartbeat names no format: format 1), which would evaluate
 * `1u == 1` or `int(1 + 0.5)` otherwise, never runs it; a version without expressions still goes
 * to that node when it is the least loaded. The real format levels, not a mock.
 */
import { describe, expect, it, vi } from 'vitest';
import { createOrchestrator, type Orchestrator } from '../../src/index.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { gate } from '../helpers/orchestrator.js';
import { PG_URL } from '../store/pg-fixture.js';
import { perTest } from './per-test.js';
import { PreviousReleaseStore } from './previous-release-store.js';

const t = perTest();

describe('placing a version with expressions during an upgrade to definition format 2', () => {
  it('never places it on a node of the previous release; a version without expressions still goes there', async () => {
    const schema = t.schema();
    const held = gate();
    t.later(() => held.open());
    // One slot each: with the newer node's taken, placement goes to the least loaded node.
    const open = async (ran: string, store: PostgresStore): Promise<Orchestrator> => {
      const orch = await createOrchestrator({
        store,
        sweepInterval: 0.1,
        leaseSeconds: 1,
        maxConcurrentWorkflows: 1,
        actions: { approve: () => ran, hold: () => held.promise },
      });
      t.later(() => orch.close());
      return orch;
    };
    const newer = await open('newer', new PostgresStore(PG_URL, { schema }));
    const older = await open('older', new PreviousReleaseStore(PG_URL, { schema }));
    await vi.waitFor(() => expect(newer.loadBalancer.getWorkers()).toContain(older.nodeId), {
      timeout: 5_000,
      interval: 20,
    });
    await newer.workflowEngine.defineWorkflow('hold', [{ name: 'hold' }]);
    const holding = await newer.workflowEngine.executeWorkflow('hold');
    await vi.waitFor(async () =>
      expect((await newer.workflowEngine.getExecutionStatus(holding))?.status).toBe('running'),
    );
    await newer.workflowEngine.defineWorkflow('plain', [{ name: 'approve' }]);
    await newer.workflowEngine.defineWorkflow('scored', [{ name: 'approve', input: "{'same': 1u == 1}" }]);
    // One at a time: each finds the older node idle and the least loaded (as the newer node's
    // view of the loads says once the last one's end was read: until then it counts it there).
    const ranPlain = [];
    for (let i = 0; i < 2; i++) {
      await vi.waitFor(() => expect(newer.loadBalancer.getLoad(older.nodeId)).toBe(0), {
        timeout: 5_000,
        interval: 20,
      });
      const id = await newer.workflowEngine.executeWorkflow('plain');
      ranPlain.push((await newer.workflowEngine.waitForCompletion(id, { timeout: 10 })).outputData);
    }
    expect(ranPlain).toEqual([{ approve: 'older' }, { approve: 'older' }]);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await newer.workflowEngine.executeWorkflow('scored'));
    // Queued behind the held one on the newer node, not placed on the idle older one.
    held.open();
    for (const id of ids) {
      const status = await newer.workflowEngine.waitForCompletion(id, { timeout: 10 });
      expect(status).toMatchObject({ status: 'completed', outputData: { approve: 'newer' } });
      expect((await newer.store.getExecution(id))?.execution).toMatchObject({ epoch: 1 });
    }
  }, 20_000);
});

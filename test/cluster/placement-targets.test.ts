/**
 * Where a cluster node places executions: only on live nodes that adopt placements. A node that
 * shares the store outside cluster mode (`cluster: false`), such as the process of the CLI's
 * `cancel` taking over an orphan, never adopts one, so nothing is placed on it.
 */
import { describe, expect, it } from 'vitest';
import { cancelOrphan } from '../../src/cli/takeover.js';
import { newStepRecord } from '../../src/engine/active-execution.js';
import { createOrchestrator } from '../../src/index.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { ClaimRequest, ExecutionRecord } from '../../src/store/store.js';
import { gate } from '../helpers/orchestrator.js';
import { housekeepingRounds } from '../helpers/rounds.js';
import { PG_URL } from '../store/pg-fixture.js';
import { makeExecution } from '../store/records.js';
import { perTest } from './per-test.js';

const t = perTest();

/** Claims only by id, so that the orphan of the test is left to the CLI's takeover. */
class NoClaimStore extends PostgresStore {
  override async claimExecutions(request: ClaimRequest): Promise<ExecutionRecord[]> {
    return request.ids ? super.claimExecutions(request) : [];
  }
}

describe('placement targets', () => {
  it('a cluster node does not place executions on a non-cluster node sharing the store', async () => {
    const schema = t.schema();
    const hold = gate();
    t.later(() => hold.open());
    const actions = { hold: () => hold.promise.then(() => 'held'), quick: () => 'quick' };
    const open = async (cluster: boolean) => {
      const orch = await createOrchestrator({
        store: new PostgresStore(PG_URL, { schema }),
        cluster,
        sweepInterval: 0.2,
        leaseSeconds: 1,
        actions,
      });
      t.later(() => orch.close());
      return orch;
    };
    const solo = await open(false);
    const a = await open(true);
    await a.workflowEngine.defineWorkflow('hold', [{ name: 'hold' }]);
    await a.workflowEngine.defineWorkflow('quick', [{ name: 'quick' }]);
    // a holds one execution, solo none: solo would be the least loaded.
    await a.workflowEngine.executeWorkflow('hold', {});
    const id = await a.workflowEngine.executeWorkflow('quick', {});
    expect((await a.workflowEngine.waitForCompletion(id, { timeout: 5 })).status).toBe('completed');
    expect((await a.store.getExecution(id))?.execution.owner).toBe(a.nodeId);
    expect(a.loadBalancer.getWorkers()).not.toContain(solo.nodeId);
    expect(a.loadBalancer.getWorkers()).toEqual([a.nodeId]);
  }, 20_000);

  it("the CLI's takeover of an orphan does not receive the cluster's new executions", async () => {
    const schema = t.schema();
    const hold = gate();
    t.later(() => hold.open());
    const a = await createOrchestrator({
      store: new NoClaimStore(PG_URL, { schema }),
      cluster: true,
      sweepInterval: 0.2,
      leaseSeconds: 3,
      actions: { hold: () => hold.promise.then(() => 'held'), quick: () => 'quick' },
    });
    t.later(() => a.close());
    await a.workflowEngine.defineWorkflow('orphaned', [
      { name: 'a', action: 'noop', compensation: 'undo_a' },
      { name: 'b', action: 'hold' },
    ]);
    await a.workflowEngine.defineWorkflow('hold', [{ name: 'hold' }]);
    await a.workflowEngine.defineWorkflow('quick', [{ name: 'quick' }]);
    await a.workflowEngine.executeWorkflow('hold', {});
    await a.workflowEngine.executeWorkflow('hold', {});
    const raw = new PostgresStore(PG_URL, { schema });
    t.later(() => raw.close());
    await raw.init();
    const now = Date.now();
    // An orphan (no owner) that completed step a, with a cancel request: the CLI's `cancel`.
    await raw.createExecution(
      makeExecution({
        id: 'orphan-1',
        workflowId: 'orphaned',
        status: 'running',
        input: {},
        createdAt: now,
        startedAt: now,
        cursor: 1,
        transitions: 1,
        lastStep: 'a',
        deadlineAt: now + 300_000,
        stepsRun: 1,
        completionSeq: 1,
        epoch: 1,
      }),
      [
        {
          ...newStepRecord('orphan-1', 'a', null, 1),
          status: 'completed',
          attempts: 1,
          startedAt: now,
          completedAt: now,
          durationMs: 0,
          completionSeq: 1,
          history: [{ attempt: 1, startedAt: now, completedAt: now }],
        },
      ],
    );
    await raw.requestCancel('orphan-1');
    // The takeover runs with no action handlers at all, its compensation until a ran `quick`.
    const compensating = gate();
    const ran = gate();
    t.later(() => ran.open());
    const cli = cancelOrphan(
      `${PG_URL}?schema=${schema}`,
      'orphan-1',
      {
        actions: {},
        compensations: {
          undo_a: () => {
            compensating.open();
            return ran.promise.then(() => 'undone');
          },
        },
      },
      20,
    );
    // The takeover is up, its heartbeat written: a round of a's after this reads it.
    await compensating.promise;
    await housekeepingRounds(a).pass(1);
    const id = await a.workflowEngine.executeWorkflow('quick', {});
    // Placed on a, not on the takeover (less loaded, but it never adopts placements).
    expect((await a.store.getExecution(id))?.execution.owner).toBe(a.nodeId);
    const status = await a.workflowEngine.waitForCompletion(id, { timeout: 20 }).finally(() => ran.open());
    const cancelled = await cli;
    expect(cancelled?.status).toBe('cancelled');
    expect({ status: status.status, error: status.error?.code }).toEqual({
      status: 'completed',
      error: undefined,
    });
  }, 30_000);
});

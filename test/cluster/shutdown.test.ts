/**
 * A cluster node closing (in this process, two nodes on one PostgreSQL schema): during a grace
 * period it keeps its leases, so no other node runs again a step still running there; once the
 * grace ends it releases them, so the others take over at once rather than a lease later;
 * executions it accepted while closing are released to the others, whatever write lane stored them.
 */
import { describe, expect, it } from 'vitest';
import { createOrchestrator, type Orchestrator } from '../../src/index.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { gate } from '../helpers/orchestrator.js';
import { PG_URL } from '../store/pg-fixture.js';
import { perTest } from './per-test.js';

const t = perTest();

describe('a closing cluster node', () => {
  it('keeps its leases while a step finishes in the grace period: no other node runs it again', async () => {
    const schema = t.schema();
    const leaseMs = 2_000;
    let starts = 0;
    let running = 0;
    let maxRunning = 0;
    const started = gate();
    const finish = gate();
    const actions = {
      slow: async () => {
        starts++;
        running++;
        maxRunning = Math.max(maxRunning, running);
        started.open();
        await finish.promise;
        running--;
        return 'done';
      },
    };
    // The step runs on until b claimed orphans past a lease after the close began: any lease a held
    // then had run out by that claim, which took the execution over unless a renewed it meanwhile.
    let pastLease = Number.POSITIVE_INFINITY;
    const bStore = new PostgresStore(PG_URL, { schema });
    const claim = bStore.claimExecutions.bind(bStore);
    bStore.claimExecutions = async (request) => {
      const claimed = await claim(request);
      if (!request.ids && request.now > pastLease) finish.open();
      return claimed;
    };
    const node = async (store: PostgresStore): Promise<Orchestrator> => {
      const orch = await createOrchestrator({
        store,
        cluster: true,
        sweepInterval: 0.5,
        leaseSeconds: leaseMs / 1000,
        actions,
      });
      t.later(() => orch.close());
      return orch;
    };
    const b = await node(bStore);
    const a = await node(new PostgresStore(PG_URL, { schema }));
    await a.workflowEngine.defineWorkflow('slow', [{ name: 'slow', timeout: 60 }]);
    const id = await a.workflowEngine.executeWorkflow('slow', {});
    await started.promise;
    expect((await a.workflowEngine.getExecutionStatus(id))?.workerId).toBe(a.nodeId);
    pastLease = Date.now() + leaseMs;
    const closing = a.close({ grace: 10 });
    const status = await b.workflowEngine.waitForCompletion(id, { timeout: 20 });
    await closing;
    expect(status.status).toBe('completed');
    expect({ starts, maxRunning }).toEqual({ starts: 1, maxRunning: 1 });
  }, 30_000);

  it('releases a step still running when its grace ends (its handler ignores the abort): another node takes it at once', async () => {
    const schema = t.schema();
    let starts = 0;
    const started = gate();
    const actions = {
      // The first run never ends and ignores its signal; the node that takes over ends at once.
      stuck: () => {
        started.open();
        return ++starts === 1 ? new Promise(() => undefined) : 'done';
      },
    };
    const node = async (): Promise<Orchestrator> => {
      const orch = await createOrchestrator({
        store: new PostgresStore(PG_URL, { schema }),
        cluster: true,
        sweepInterval: 0.2,
        // Far longer than the test's wait: only the release lets b take it over in time.
        leaseSeconds: 60,
        actions,
      });
      t.later(() => orch.close());
      return orch;
    };
    const b = await node();
    const a = await node();
    await a.workflowEngine.defineWorkflow('stuck', [{ name: 'stuck' }]);
    const id = await a.workflowEngine.executeWorkflow('stuck', {});
    await started.promise;
    expect((await a.workflowEngine.getExecutionStatus(id))?.workerId).toBe(a.nodeId);
    await a.close({ grace: 0.5 });
    const status = await b.workflowEngine.waitForCompletion(id, { timeout: 15 });
    expect({ status: status.status, workerId: status.workerId, starts }).toEqual({
      status: 'completed',
      workerId: b.nodeId,
      starts: 2,
    });
  }, 30_000);

  it('releases executions it accepted while closing, with several write lanes', async () => {
    const schema = t.schema();
    const node = async () => {
      const orch = await createOrchestrator({
        store: new PostgresStore(PG_URL, { schema, writeLanes: 4 }),
        cluster: true,
        sweepInterval: 0.2,
        leaseSeconds: 10,
        actions: { quick: () => 'quick' },
      });
      t.later(() => orch.close());
      return orch;
    };
    const b = await node();
    const a = await node();
    await a.workflowEngine.defineWorkflow('quick', [{ name: 'quick' }]);
    await a.workflowEngine.getWorkflow('quick');
    const submitted = Array.from({ length: 40 }, () => a.workflowEngine.executeWorkflow('quick', {}));
    // Past their definition lookup (a call still in it when close() comes is refused with
    // ClosedError), their creates queued but not committed: close() comes while they are stored.
    await new Promise((resolve) => setImmediate(resolve));
    const closing = a.close();
    const settled = await Promise.allSettled(submitted);
    await closing;
    const ids = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    expect(ids.length).toBeGreaterThan(0);
    // Released, b takes them at once; left owned by a, they would wait for its 10 s lease.
    const results = await Promise.all(
      ids.map((id) =>
        b.workflowEngine.waitForCompletion(id, { timeout: 4 }).then(
          (s) => s.status,
          () => 'stuck',
        ),
      ),
    );
    expect(results.filter((s) => s !== 'completed')).toEqual([]);
  }, 30_000);
});

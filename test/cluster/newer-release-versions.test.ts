/**
 * A rolling upgrade on PostgreSQL: a node of a newer release defines a version with a key the
 * older release does not know. Executions of it that land on an older node (placed there: its
 * heartbeat lists the handlers) are let go at once and run by the newer node, never by the older
 * one as something else.
 */
import { describe, expect, it, vi } from 'vitest';
import { createOrchestrator, type Orchestrator } from '../../src/index.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { PG_URL, withClient } from '../store/pg-fixture.js';
import { perTest } from './per-test.js';

const t = perTest();

describe('a version only the newer nodes of a rolling upgrade can read', () => {
  it('runs on the newer node wherever it is placed', async () => {
    const schema = t.schema();
    const open = async (ran: string): Promise<Orchestrator> => {
      const orch = await createOrchestrator({
        store: new PostgresStore(PG_URL, { schema }),
        sweepInterval: 0.1,
        leaseSeconds: 1,
        actions: { approve: () => ran },
      });
      t.later(() => orch.close());
      return orch;
    };
    const newer = await open('newer');
    // The newer node knows the version as it defined it; the store gets the key only it knows.
    await newer.workflowEngine.defineWorkflow('signup', [{ name: 'approve' }]);
    await withClient((client) =>
      client.query(`UPDATE ${schema}.definitions SET body = $1 WHERE id = 'signup' AND version = 1`, [
        JSON.stringify({ steps: [{ name: 'approve', awaitSignal: 'approved' }], options: {} }),
      ]),
    );
    const older = await open('older');
    // Both are live placement targets with the handler (once the newer node read the registry).
    await vi.waitFor(() => expect(newer.loadBalancer.getWorkers()).toContain(older.nodeId), {
      timeout: 5_000,
      interval: 20,
    });

    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await newer.workflowEngine.executeWorkflow('signup'));
    for (const id of ids) {
      const status = await newer.workflowEngine.waitForCompletion(id, { timeout: 10 });
      expect(status).toMatchObject({ status: 'completed', outputData: { approve: 'newer' } });
    }
    // The older node refuses to start it (naming the key) rather than run it without the key.
    await expect(older.workflowEngine.executeWorkflow('signup')).rejects.toThrow(/steps\[0\]\.awaitSignal/);
  }, 20_000);
});

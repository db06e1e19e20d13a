/**
 * A rolling upgrade on PostgreSQL, seen from the newer node: a version that uses a key added by a
 * newer definition format is placed only on nodes that read that format. A node of the previous
 * release (its heartbeat does not say which format it reads: format 1) used to be picked when it
 * was the least loaded, and then released the execution again for the newer node to claim.
 *
 * The release under test is made one format newer than the previous one, whose `timeout` on a
 * step it pretends to have added; the older node is this code with the heartbeat of a release
 * from before the field, opened on a store where the version holds a key it does not know.
 */
import { describe, expect, it, vi } from 'vitest';
import { createOrchestrator, type Orchestrator } from '../../src/index.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { PG_URL, withClient } from '../store/pg-fixture.js';
import { perTest } from './per-test.js';
import { PreviousReleaseStore } from './previous-release-store.js';

vi.mock('../../src/definition/format-levels.js', async (original) => ({
  ...(await original<typeof import('../../src/definition/format-levels.js')>()),
  DEFINITION_FORMAT: 2,
  FORMAT_ADDITIONS: [{ level: 2, keys: ['action.timeout'] }],
}));

const t = perTest();

describe('placing a version that needs a newer definition format', () => {
  it('never places it on a node of the previous release, and runs it all', async () => {
    const schema = t.schema();
    const open = async (ran: string, store: PostgresStore): Promise<Orchestrator> => {
      const orch = await createOrchestrator({
        store,
        sweepInterval: 0.1,
        leaseSeconds: 1,
        actions: { approve: () => ran },
      });
      t.later(() => orch.close());
      return orch;
    };
    const newer = await open('newer', new PostgresStore(PG_URL, { schema }));
    await newer.workflowEngine.defineWorkflow('signup', [{ name: 'approve', timeout: 5 }]);
    // What the previous release cannot read in it (a key it does not know).
    await withClient((client) =>
      client.query(`UPDATE ${schema}.definitions SET body = $1 WHERE id = 'signup' AND version = 1`, [
        JSON.stringify({ steps: [{ name: 'approve', timeout: 5, awaitSignal: 'ok' }], options: {} }),
      ]),
    );
    const older = await open('older', new PreviousReleaseStore(PG_URL, { schema }));
    await vi.waitFor(() => expect(newer.loadBalancer.getWorkers()).toContain(older.nodeId), {
      timeout: 5_000,
      interval: 20,
    });
    // The older node is idle and a placement target: executions of other versions go to it.
    await newer.workflowEngine.defineWorkflow('plain', [{ name: 'approve' }]);
    const plain = [
      await newer.workflowEngine.executeWorkflow('plain'),
      await newer.workflowEngine.executeWorkflow('plain'),
    ];
    const ran = [];
    for (const id of plain)
      ran.push((await newer.workflowEngine.waitForCompletion(id, { timeout: 10 })).outputData);
    expect(ran).toContainEqual({ approve: 'older' });

    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await newer.workflowEngine.executeWorkflow('signup'));
    for (const id of ids) {
      const status = await newer.workflowEngine.waitForCompletion(id, { timeout: 10 });
      expect(status).toMatchObject({ status: 'completed', outputData: { approve: 'newer' } });
      // Run by the node it was placed on (epoch 1): never released by the older node and claimed.
      expect((await newer.store.getExecution(id))?.execution).toMatchObject({ epoch: 1 });
    }
  }, 20_000);
});

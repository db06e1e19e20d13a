/**
 * A schema whose name needs quoting to keep its case (`Orders_…`): two cluster nodes on it open it
 * together (the migration lock, the schema created once), wake each other (the notification
 * payload names the schema as given), place, run and cancel executions across nodes, and purge
 * what finished. An unquoted name anywhere would fold to lower case and miss the tables.
 */
import { describe, expect, it } from 'vitest';
import { createOrchestrator, type Orchestrator } from '../../src/index.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { gate, untilAborted } from '../helpers/orchestrator.js';
import { dropSchema, PG_URL, withClient } from '../store/pg-fixture.js';
import { perTest } from './per-test.js';

const t = perTest();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('two nodes on a mixed-case schema', () => {
  it('open it together, place, run, cancel across nodes and purge', async () => {
    const schema = `Orders_${process.pid}_${Date.now().toString(36)}`;
    t.later(() => dropSchema(schema));
    const hold = gate();
    t.later(() => hold.open());
    const node = async (): Promise<Orchestrator> => {
      const orch = await createOrchestrator({
        store: new PostgresStore(PG_URL, { schema }),
        cluster: true,
        sweepInterval: 0.2,
        leaseSeconds: 2,
        actions: {
          hold: () => hold.promise.then(() => 'held'),
          quick: () => 'quick',
          wait: (_i: unknown, ctx: { signal: AbortSignal }) => untilAborted(ctx.signal),
        },
      });
      t.later(() => orch.close());
      return orch;
    };
    const [a, b] = await Promise.all([node(), node()]);
    await a.workflowEngine.defineWorkflow('hold', [{ name: 'hold' }]);
    await a.workflowEngine.defineWorkflow('quick', [{ name: 'quick' }]);
    await a.workflowEngine.defineWorkflow('wait', [{ name: 'wait' }]);
    // a counts b live (it reads b's heartbeat at a round): a fixed wait may end before that on a
    // loaded machine, and the quick execution would then stay on a.
    await expect.poll(() => a.loadBalancer.getWorkers().includes(b.nodeId), { timeout: 10_000 }).toBe(true);
    await a.workflowEngine.executeWorkflow('hold', {});
    const quick = await a.workflowEngine.executeWorkflow('quick', {});
    expect((await a.workflowEngine.waitForCompletion(quick, { timeout: 5 })).status).toBe('completed');
    expect((await a.store.getExecution(quick))?.execution.owner).toBe(b.nodeId);
    const waiting = await a.workflowEngine.executeWorkflow('wait', {});
    for (let i = 0; i < 100 && (await a.store.getExecution(waiting))?.execution.status !== 'running'; i++) {
      await sleep(20);
    }
    expect(await a.workflowEngine.cancelWorkflow(waiting)).toBe(true);

    const names = await withClient((client) =>
      client.query<{ n: string }>('SELECT nspname AS n FROM pg_namespace WHERE lower(nspname) = lower($1)', [
        schema,
      ]),
    );
    expect(names.rows.map((r) => r.n)).toEqual([schema]);
    expect(await a.store.purgeFinished?.({ before: Date.now() + 1_000, limit: 10 })).toBe(2);
    // Counted all the same after the purge: the running one, and the purged ones' totals.
    expect((await b.store.aggregate()).byStatus).toMatchObject({ running: 1, completed: 1, cancelled: 1 });
  }, 30_000);
});

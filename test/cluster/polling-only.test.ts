/**
 * Polling alone guarantees progress (docs/scaling.md, "NOTIFY is a wake-up hint"): two nodes in
 * this process on one PostgreSQL schema whose notifications never reach them — lost on the way
 * (a dropped listener, PgBouncer in transaction mode) or refused at start. Each node still starts
 * what the other placed on it, claims the leases a closing node released and the executions of a
 * node whose lease expired, all at its `sweepInterval` rounds.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOrchestrator, type Orchestrator, type StepContext } from '../../src/index.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { WorkHint } from '../../src/store/store.js';
import { gate, untilAborted } from '../helpers/orchestrator.js';
import { assertServerReachable, dropSchema, freshSchema, PG_URL } from '../store/pg-fixture.js';

beforeEach(assertServerReachable);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

type Deafness = 'lost' | 'refused';

/** A PostgreSQL store whose notifications never reach its node; counts the ones it dropped. */
class DeafStore extends PostgresStore {
  dropped = 0;
  constructor(
    schema: string,
    private readonly deafness: Deafness,
  ) {
    super(PG_URL, { schema });
  }
  override subscribe(channel: 'work', _onNotify: (hint: WorkHint) => void): Promise<() => Promise<void>> {
    if (this.deafness === 'refused') return Promise.reject(new Error('LISTEN refused (injected)'));
    return super.subscribe(channel, () => {
      this.dropped++;
    });
  }
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each<Deafness>(['lost', 'refused'])('a cluster whose notifications are %s', (deafness) => {
  it('places, takes over released leases and claims expired ones by polling alone', async () => {
    const schema = freshSchema();
    cleanups.push(() => dropSchema(schema));
    const hold = gate();
    // Honours its signal, so a closing node stops it and releases the execution.
    const actions = {
      hold: (_input: unknown, ctx: StepContext) => Promise.race([hold.promise, untilAborted(ctx.signal)]),
    };
    const warnings: string[] = [];
    const node = async (store: DeafStore): Promise<Orchestrator> => {
      const orch = await createOrchestrator({
        store,
        cluster: true,
        sweepInterval: 0.2,
        leaseSeconds: 2,
        actions,
        logger: {
          debug: () => undefined,
          info: () => undefined,
          error: () => undefined,
          warn: (_fields: unknown, message?: string) => warnings.push(String(message)),
        } as never,
      });
      cleanups.push(() => orch.close());
      return orch;
    };
    const bStore = new DeafStore(schema, deafness);
    const b = await node(bStore);
    const aStore = new DeafStore(schema, deafness);
    const a = await node(aStore);
    await a.workflowEngine.defineWorkflow('hold', [{ name: 'hold' }]);
    await until(() => a.loadBalancer.getWorkers().length === 2, 'a to see b');
    if (deafness === 'refused') {
      expect(warnings.filter((w) => w.includes('polling only'))).toHaveLength(2);
    }

    // Placement: every other execution submitted through a goes to b, which learns of it only
    // from its next poll.
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await a.workflowEngine.executeWorkflow('hold', { i }));
    const owners = async () => (await aStore.getExecutions(ids)).map((s) => s.execution);
    const onB = (await owners()).filter((r) => r.owner === b.nodeId).map((r) => r.id);
    expect(onB).toHaveLength(2);
    await until(
      async () =>
        (await owners()).filter((r) => r.status === 'running' && r.workerId === b.nodeId).length === 2,
      'b to start the executions placed on it',
    );
    // The creations were announced, and b never heard of them.
    if (deafness === 'lost') await until(() => bStore.dropped > 0, 'b to drop a notification');

    // A graceful close releases b's leases (its NOTIFY is lost too): a claims them at a poll.
    await b.close({ grace: 0 });
    await until(
      async () => (await owners()).filter((r) => onB.includes(r.id) && r.owner === a.nodeId).length === 2,
      'a to claim the released executions',
    );

    // A node that died without a word (its lease ran out, its id names no process here).
    const [template] = await aStore.getExecutions([ids[0]!]);
    await aStore.createExecution({
      ...template!.execution,
      id: 'orphan-of-ghost',
      status: 'running',
      idempotencyKey: null,
      owner: 'ghost-node',
      workerId: 'ghost-node',
      leaseUntil: Date.now() - 1000,
      epoch: 1,
    });
    hold.open();
    for (const id of [...ids, 'orphan-of-ghost']) {
      expect((await a.workflowEngine.waitForCompletion(id, { timeout: 10 })).status, id).toBe('completed');
    }
    const done = await aStore.getExecutions([...ids, 'orphan-of-ghost']);
    for (const snap of done) {
      if (snap.execution.id === 'orphan-of-ghost' || onB.includes(snap.execution.id)) {
        expect(snap.execution.workerId).toBe(a.nodeId);
        expect(snap.execution.epoch).toBeGreaterThan(1);
      }
    }
    // Every wake-up came from a poll: b's release was announced to a, and never delivered.
    if (deafness === 'lost') await until(() => aStore.dropped > 0, 'a to drop a notification');
  });
});

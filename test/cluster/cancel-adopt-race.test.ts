/**
 * A cancel of an orphan claims it and adopts it; a housekeeping round that adopts the executions
 * this node owns may find the same execution (claimed, not yet running) meanwhile. The two must not
 * both run it: it would end twice (two `execution.finished`, counted twice in the metrics).
 */
import { afterAll, expect, it } from 'vitest';
import { createOrchestrator, PostgresStore } from '../../src/index.js';
import type { ClaimRequest } from '../../src/store/store.js';
import { collectEvents, gate, nextTurn, silentLogger, untilAborted } from '../helpers/orchestrator.js';
import { assertServerReachable, dropSchema, freshSchema, PG_URL } from '../store/pg-fixture.js';

const schemas: string[] = [];
afterAll(async () => {
  for (const schema of schemas) await dropSchema(schema);
});

/**
 * A store whose rounds claim nothing (as on a node whose fair share is taken), whose first read of
 * `held.id` answers only once `held.gate` opens, and that reports a round's read of it meanwhile.
 */
class SlowAdoptStore extends PostgresStore {
  held: { id: string; reached: () => void; gate: Promise<void> } | null = null;
  roundRead: { id: string; seen: () => void } | null = null;
  override async getExecutions(ids: readonly string[]) {
    const snapshots = await super.getExecutions(ids);
    if (this.roundRead && ids.includes(this.roundRead.id)) this.roundRead.seen();
    return snapshots;
  }
  override claimExecutions(request: ClaimRequest) {
    return request.ids ? super.claimExecutions(request) : Promise.resolve([]);
  }
  override async getExecution(id: string) {
    const held = this.held;
    const snapshot = await super.getExecution(id);
    if (held?.id === id) {
      this.held = null;
      held.reached();
      await held.gate;
    }
    return snapshot;
  }
}

it('a cancel that claims an orphan while a round adopts it ends the execution once', async () => {
  await assertServerReachable();
  const schema = freshSchema();
  schemas.push(schema);
  const url = `${PG_URL}?schema=${schema}`;
  const hang = (_i: unknown, ctx: { signal: AbortSignal }) => untilAborted(ctx.signal);
  const first = await createOrchestrator({ store: url, logger: silentLogger, actions: { hang } });
  await first.workflowEngine.defineWorkflow('w', [{ name: 'hang' }]);
  const id = await first.workflowEngine.executeWorkflow('w');
  await first.close();

  const store = new SlowAdoptStore(PG_URL, { schema });
  const node = await createOrchestrator({
    store,
    logger: silentLogger,
    actions: { hang },
    sweepInterval: 0.02,
  });
  try {
    const events = collectEvents(node, ['execution.finished']);
    const reached = gate();
    const release = gate();
    const roundSeen = gate();
    store.held = { id, reached: reached.open, gate: release.promise };
    const cancel = node.workflowEngine.cancelWorkflow(id);
    await reached.promise;
    // The cancel has claimed it and read it (unfinished); a round now finds it owned here, unheld.
    store.roundRead = { id, seen: roundSeen.open };
    await roundSeen.promise;
    await nextTurn();
    release.open();
    expect(await cancel).toBe(true);
    expect((await node.workflowEngine.waitForCompletion(id, { timeout: 5 })).status).toBe('cancelled');
    expect(events.of('execution.finished').map((e) => e.executionId)).toEqual([id]);
    expect(node.getMetrics().executions).toMatchObject({ total: 1, cancelled: 1 });
  } finally {
    await node.close();
  }
});

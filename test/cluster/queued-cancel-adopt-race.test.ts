/**
 * A queued execution that is cancelled (or times out in the queue) leaves the queue before its end
 * is stored. Meanwhile a housekeeping round that adopts the executions this node owns finds it
 * stored unfinished: it must not take it up and run it (it would start and end a second time).
 */
import { afterAll, expect, it } from 'vitest';
import { createOrchestrator, PostgresStore } from '../../src/index.js';
import type { ExecutionUpdate } from '../../src/store/store.js';
import { collectEvents, gate, silentLogger, untilAborted } from '../helpers/orchestrator.js';
import { assertServerReachable, dropSchema, freshSchema, PG_URL } from '../store/pg-fixture.js';

const schemas: string[] = [];
afterAll(async () => {
  for (const schema of schemas) await dropSchema(schema);
});

/**
 * A store whose write of `held.id`'s end waits for `held.gate`, reporting when a second round
 * listed it meanwhile (rounds run one at a time, so the first one has done with it by then).
 */
class SlowEndStore extends PostgresStore {
  held: { id: string; gate: Promise<void>; roundsDone: () => void; listed: number } | null = null;
  override async update(update: ExecutionUpdate) {
    const held = this.held;
    if (held?.id === update.id && update.set?.status === 'cancelled') await held.gate;
    return super.update(update);
  }
  override async listOwned(owner: string, limit: number) {
    const ids = await super.listOwned(owner, limit);
    const held = this.held;
    if (held && ids.includes(held.id) && ++held.listed === 2) held.roundsDone();
    return ids;
  }
}

it('a round does not take up a queued execution whose cancellation is being stored', async () => {
  await assertServerReachable();
  const schema = freshSchema();
  schemas.push(schema);
  const store = new SlowEndStore(PG_URL, { schema });
  const hang = (_i: unknown, ctx: { signal: AbortSignal }) => untilAborted(ctx.signal);
  const node = await createOrchestrator({
    store,
    logger: silentLogger,
    actions: { hang },
    maxConcurrentWorkflows: 1,
    sweepInterval: 0.02,
  });
  try {
    await node.workflowEngine.defineWorkflow('w', [{ name: 'hang' }]);
    const events = collectEvents(node, ['execution.started', 'execution.finished']);
    await node.workflowEngine.executeWorkflow('w');
    const queued = await node.workflowEngine.executeWorkflow('w');
    const release = gate();
    const roundsDone = gate();
    store.held = { id: queued, gate: release.promise, roundsDone: roundsDone.open, listed: 0 };
    const cancel = node.workflowEngine.cancelWorkflow(queued);
    await roundsDone.promise;
    release.open();
    expect(await cancel).toBe(true);
    expect((await node.workflowEngine.waitForCompletion(queued, { timeout: 5 })).status).toBe('cancelled');
    const of = (e: { executionId: string }) => e.executionId === queued;
    expect(events.of('execution.started').filter(of)).toEqual([]);
    expect(
      events
        .of('execution.finished')
        .filter(of)
        .map((e) => e.status),
    ).toEqual(['cancelled']);
  } finally {
    await node.close();
  }
});

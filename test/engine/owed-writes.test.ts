/**
 * Background writes (`persistLater`) are owed, not sent at once: the next awaited write carries
 * them, or one write on the next turn of the event loop. A step that finishes within that turn is
 * written once, with its result; a step that takes longer is seen as running in the store while
 * its handler works; a shutdown writes what it owed before letting go.
 */
import { describe, expect, it } from 'vitest';
import { LeaseLostError, MemoryStore } from '../../src/index.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { ExecutionUpdate, Store } from '../../src/store/store.js';
import { gate, memoryLogger, nextTurn, tempDir, until, withOrchestrator } from '../helpers/orchestrator.js';

/** A memory store that records every update it is asked to write, and can refuse the next ones. */
class CountingStore extends MemoryStore {
  readonly updates: ExecutionUpdate[] = [];
  /** Makes the next updates fail with this error (once each, while it is set). */
  refuse: (() => Error) | null = null;
  refusals = 0;
  override update(update: ExecutionUpdate): Promise<void> {
    this.updates.push(update);
    if (this.refuse && this.refusals-- > 0) return Promise.reject(this.refuse());
    return super.update(update);
  }
}

/** A slow action that opens `entered` when it starts and ends with 'done' when `release` opens. */
function slowAction(entered: { open(): void }, release: { promise: Promise<void> }) {
  return async () => {
    entered.open();
    await release.promise;
    return 'done';
  };
}

describe('owed background writes', () => {
  it('writes each fast step once, with its result (3 steps: 3 updates after the create)', async () => {
    const store = new CountingStore();
    const orch = await withOrchestrator({
      store,
      actions: { a: async () => 'A', b: () => 'B', c: async () => 'C' },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
    const id = await orch.workflowEngine.executeWorkflow('w', {});
    const status = await orch.workflowEngine.waitForCompletion(id);
    expect(status.status).toBe('completed');
    await nextTurn();
    const mine = store.updates.filter((u) => u.id === id);
    expect(mine).toHaveLength(3);
    // Each write names the step that completed, already completed. The execution was stored as
    // running when it was created (it could start at once), so no write before the last one
    // changes its status.
    expect(mine.map((u) => u.steps?.map((s) => `${s.name}:${s.status}`))).toEqual([
      ['a:completed'],
      ['b:completed'],
      ['c:completed'],
    ]);
    expect(mine.map((u) => u.set?.status)).toEqual([undefined, undefined, 'completed']);
    const stored = (await store.getExecution(id))!;
    expect(stored.steps.map((s) => [s.name, s.status, s.history.length])).toEqual([
      ['a', 'completed', 1],
      ['b', 'completed', 1],
      ['c', 'completed', 1],
    ]);
  });

  const stores: [string, () => Store][] = [
    ['memory', () => new MemoryStore()],
    ['sqlite', () => new SqliteStore(`${tempDir()}/owed.sqlite`)],
  ];
  it.each(stores)('a slow step is stored as running while its handler works (%s)', async (_kind, make) => {
    const store = make();
    const release = gate();
    const entered = gate();
    const orch = await withOrchestrator({ store, actions: { slow: slowAction(entered, release) } });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'slow' }]);
    const id = await orch.workflowEngine.executeWorkflow('w', {});
    await entered.promise;
    // The owed write leaves on the next turn; a durable store answers once it committed.
    await nextTurn();
    await until(async () => (await store.getExecution(id))?.steps.length === 1);
    const during = (await store.getExecution(id))!;
    expect(during.execution.status).toBe('running');
    expect(during.steps.map((s) => [s.name, s.status, s.attempts])).toEqual([['slow', 'running', 1]]);
    release.open();
    expect((await orch.workflowEngine.waitForCompletion(id)).status).toBe('completed');
    const after = (await store.getExecution(id))!;
    expect(after.steps.map((s) => [s.name, s.status])).toEqual([['slow', 'completed']]);
  });

  it('an owed write refused by the lease fence stops the execution, says so, and writes nothing more', async () => {
    const store = new CountingStore();
    const logger = memoryLogger();
    const entered = gate();
    let aborted: unknown = null;
    const orch = await withOrchestrator({
      store,
      logger,
      actions: {
        slow: (_input, ctx) =>
          new Promise((_resolve, reject) => {
            entered.open();
            ctx.signal.addEventListener('abort', () => {
              aborted = ctx.signal.reason;
              reject(ctx.signal.reason);
            });
          }),
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'slow' }]);
    const id = await orch.workflowEngine.executeWorkflow('w', {});
    await entered.promise;
    // Another node took the execution over before the owed write left.
    store.refuse = () => new LeaseLostError(id);
    store.refusals = 1;
    await until(() => aborted !== null);
    expect(aborted).toBeInstanceOf(LeaseLostError);
    expect((aborted as LeaseLostError).code).toBe('LEASE_LOST');
    await until(() => logger.lines.some((l) => l.msg?.includes('lease lost')));
    expect(logger.lines.filter((l) => l.msg?.includes('lease lost'))).toHaveLength(1);
    await nextTurn();
    // The refused write was the only one: the new owner's state is not touched.
    expect(store.updates.filter((u) => u.id === id)).toHaveLength(1);
    expect((await store.getExecution(id))!.steps).toEqual([]);
  });

  it('an owed write that fails in the store is logged, and the next write carries the state again', async () => {
    const store = new CountingStore();
    const logger = memoryLogger();
    const release = gate();
    const entered = gate();
    const orch = await withOrchestrator({ store, logger, actions: { slow: slowAction(entered, release) } });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'slow' }]);
    const id = await orch.workflowEngine.executeWorkflow('w', {});
    await entered.promise;
    store.refuse = () => new Error('disk full');
    store.refusals = 1;
    await until(() => logger.lines.some((l) => l.msg === 'background write failed'));
    // The refused write carried the started step: the store has only what the create wrote.
    const before = (await store.getExecution(id))!;
    expect(before.execution.status).toBe('running');
    expect(before.steps).toEqual([]);
    release.open();
    const status = await orch.workflowEngine.waitForCompletion(id);
    expect(status.status).toBe('completed');
    const stored = (await store.getExecution(id))!;
    expect(stored.execution.status).toBe('completed');
    expect(stored.steps.map((s) => [s.name, s.status, s.output])).toEqual([['slow', 'completed', 'done']]);
  });

  it('a shutdown right after a step started writes the started attempt before letting go', async () => {
    const store = new CountingStore();
    const entered = gate();
    const orch = await withOrchestrator({
      store,
      actions: {
        hang: (_input, ctx) => {
          entered.open();
          return new Promise((_resolve, reject) => {
            ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
          });
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'hang' }]);
    const id = await orch.workflowEngine.executeWorkflow('w', {});
    await entered.promise;
    // Same turn: the start of the attempt is still owed when the shutdown begins.
    expect(store.updates.filter((u) => u.id === id)).toHaveLength(0);
    await orch.close();
    const stored = (await store.getExecution(id))!;
    expect(stored.execution.status).toBe('running');
    expect(stored.steps.map((s) => [s.name, s.status, s.attempts])).toEqual([['hang', 'running', 1]]);
  });
});

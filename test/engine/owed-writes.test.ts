/**
 * Background writes (`persistLater`) are owed, not sent at once: the next awaited write carries
 * them, or one write on the next turn of the event loop. A step that finishes within that turn is
 * written once, with its result; a step that takes longer is seen as running in the store while
 * its handler works; a shutdown writes what it owed before letting go.
 */
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/index.js';
import type { ExecutionUpdate } from '../../src/store/store.js';
import { gate, withOrchestrator } from '../helpers/orchestrator.js';

/** A memory store that records every update it is asked to write. */
class CountingStore extends MemoryStore {
  readonly updates: ExecutionUpdate[] = [];
  override update(update: ExecutionUpdate): Promise<void> {
    this.updates.push(update);
    return super.update(update);
  }
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

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
    await turn();
    const mine = store.updates.filter((u) => u.id === id);
    expect(mine).toHaveLength(3);
    // Each write names the step that completed, already completed; the first also moved the
    // execution to running (what the owed start write would have said).
    expect(mine.map((u) => u.steps?.map((s) => `${s.name}:${s.status}`))).toEqual([
      ['a:completed'],
      ['b:completed'],
      ['c:completed'],
    ]);
    expect(mine[0]?.set?.status).toBe('running');
    expect(mine[2]?.set?.status).toBe('completed');
    const stored = (await store.getExecution(id))!;
    expect(stored.steps.map((s) => [s.name, s.status, s.history.length])).toEqual([
      ['a', 'completed', 1],
      ['b', 'completed', 1],
      ['c', 'completed', 1],
    ]);
  });

  it('a slow step is stored as running while its handler works', async () => {
    const store = new CountingStore();
    const release = gate();
    const entered = gate();
    const orch = await withOrchestrator({
      store,
      actions: {
        slow: async () => {
          entered.open();
          await release.promise;
          return 'done';
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'slow' }]);
    const id = await orch.workflowEngine.executeWorkflow('w', {});
    await entered.promise;
    await turn();
    const during = (await store.getExecution(id))!;
    expect(during.execution.status).toBe('running');
    expect(during.steps.map((s) => [s.name, s.status, s.attempts])).toEqual([['slow', 'running', 1]]);
    release.open();
    expect((await orch.workflowEngine.waitForCompletion(id)).status).toBe('completed');
    const after = (await store.getExecution(id))!;
    expect(after.steps.map((s) => [s.name, s.status])).toEqual([['slow', 'completed']]);
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

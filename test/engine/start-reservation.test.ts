/**
 * A new execution that can start at once reserves its slot before it is stored, and is stored as
 * `running` (so its first step's write changes no indexed column); one that must wait is stored
 * as `pending` and queued. A reservation whose execution is not stored (the create failed, or the
 * idempotency key named an existing execution) gives its slot back. Metrics and events still see
 * the pending -> running transition when the runner starts.
 */
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/index.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { CreateResult, ExecutionRecord, ExecutionUpdate, StepRecord } from '../../src/store/store.js';
import { collectEvents, gate, nextTurn, tempDir, until, withOrchestrator } from '../helpers/orchestrator.js';

/** A memory store that records the status of every execution it is asked to create or update. */
class RecordingStore extends MemoryStore {
  readonly created: string[] = [];
  readonly updates: ExecutionUpdate[] = [];
  /** Makes the next createExecution calls fail (once each). */
  failCreates = 0;
  /** When set, the next createExecution fails once this promise settles (a slow failing write). */
  failLater: Promise<void> | null = null;
  override createExecution(execution: ExecutionRecord, steps?: StepRecord[]): Promise<CreateResult> {
    if (this.failCreates-- > 0) return Promise.reject(new Error('disk full'));
    const later = this.failLater;
    this.failLater = null;
    if (later) return later.then(() => Promise.reject(new Error('disk full')));
    this.created.push(execution.status);
    return super.createExecution(execution, steps);
  }
  override update(update: ExecutionUpdate): Promise<void> {
    this.updates.push(update);
    return super.update(update);
  }
}

/** An action that waits for `release`, counting the calls that entered. */
function blocking(release: { promise: Promise<void> }, entered: { count: number }) {
  return async () => {
    entered.count++;
    await release.promise;
    return 'ok';
  };
}

describe('start reservation', () => {
  it('stores an execution that starts at once as running, and one that must wait as pending', async () => {
    const store = new RecordingStore();
    const gates = [gate(), gate()];
    const entered = [gate(), gate()];
    const orch = await withOrchestrator({
      store,
      maxConcurrentWorkflows: 1,
      actions: {
        slow: async (input) => {
          const n = (input as { n: number }).n;
          entered[n]!.open();
          await gates[n]!.promise;
          return n;
        },
      },
    });
    const engine = orch.workflowEngine;
    await engine.defineWorkflow('w', [{ name: 'slow' }]);
    const first = await engine.executeWorkflow('w', { n: 0 });
    const second = await engine.executeWorkflow('w', { n: 1 });
    expect(store.created).toEqual(['running', 'pending']);
    expect((await store.getExecution(first))?.execution.status).toBe('running');
    expect((await store.getExecution(second))?.execution.status).toBe('pending');
    expect(orch.getMetrics().executions).toMatchObject({ running: 1, pending: 1 });
    await entered[0]!.promise;
    gates[0]!.open();
    expect((await engine.waitForCompletion(first)).status).toBe('completed');
    // The queued one starts in the freed slot; its move to running is written while it works.
    await entered[1]!.promise;
    await until(async () => (await store.getExecution(second))?.execution.status === 'running');
    gates[1]!.open();
    expect((await engine.waitForCompletion(second)).status).toBe('completed');
    const statusWrites = (id: string) =>
      store.updates.filter((u) => u.id === id && u.set?.status).map((u) => u.set?.status);
    expect(statusWrites(first)).toEqual(['completed']);
    expect(statusWrites(second)).toEqual(['running', 'completed']);
  });

  it('keeps the pending -> running transition in metrics and events', async () => {
    const orch = await withOrchestrator({ actions: { a: () => 1 } });
    const events = collectEvents(orch, ['execution.created', 'execution.started', 'execution.finished']);
    const engine = orch.workflowEngine;
    await engine.defineWorkflow('w', [{ name: 'a' }]);
    const ids = await Promise.all([1, 2, 3].map(() => engine.executeWorkflow('w', {})));
    await Promise.all(ids.map((id) => engine.waitForCompletion(id)));
    expect(events.of('execution.started').map((e) => [e.executionId, e.resumed])).toEqual(
      ids.map((id) => [id, false]),
    );
    expect(orch.getMetrics().executions).toMatchObject({ total: 3, pending: 0, running: 0, completed: 3 });
    const status = await engine.getExecutionStatus(ids[0]!);
    expect(status?.startedAt).not.toBeNull();
  });

  it('gives the slot back when the create fails', async () => {
    const store = new RecordingStore();
    const orch = await withOrchestrator({ store, maxConcurrentWorkflows: 1, actions: { a: () => 1 } });
    const engine = orch.workflowEngine;
    await engine.defineWorkflow('w', [{ name: 'a' }]);
    store.failCreates = 1;
    await expect(engine.executeWorkflow('w', {})).rejects.toThrow('disk full');
    // With the slot still taken, this one would wait in the queue forever.
    const id = await engine.executeWorkflow('w', {});
    expect(store.created).toEqual(['running']);
    expect((await engine.waitForCompletion(id, { timeout: 5 })).status).toBe('completed');
    expect(orch.getMetrics().executions).toMatchObject({ running: 0, pending: 0 });
  });

  it('a failed create hands its slot to the execution queued behind it', async () => {
    const store = new RecordingStore();
    const orch = await withOrchestrator({ store, maxConcurrentWorkflows: 1, actions: { a: () => 1 } });
    const engine = orch.workflowEngine;
    await engine.defineWorkflow('w', [{ name: 'a' }]);
    const failNow = gate();
    store.failLater = failNow.promise;
    const failing = engine.executeWorkflow('w', {});
    // The only slot is reserved for the first one while its create is in flight: this one queues.
    const queued = await engine.executeWorkflow('w', {});
    expect(store.created).toEqual(['pending']);
    expect((await engine.getExecutionStatus(queued))?.status).toBe('pending');
    // Past the turn's own pump: only the failed create giving back its slot can start it now.
    await nextTurn();
    expect((await engine.getExecutionStatus(queued))?.status).toBe('pending');
    failNow.open();
    await expect(failing).rejects.toThrow('disk full');
    expect((await engine.waitForCompletion(queued, { timeout: 5 })).status).toBe('completed');
    expect(orch.getMetrics().executions).toMatchObject({ running: 0, pending: 0, completed: 1 });
  });

  it('gives the slot back when the idempotency key names an existing execution', async () => {
    const release = gate();
    const entered = { count: 0 };
    const orch = await withOrchestrator({
      maxConcurrentWorkflows: 2,
      actions: { slow: blocking(release, entered), a: () => 1 },
    });
    const engine = orch.workflowEngine;
    await engine.defineWorkflow('slow', [{ name: 'slow' }]);
    await engine.defineWorkflow('fast', [{ name: 'a' }]);
    const held = await engine.executeWorkflow('slow', {}, { idempotencyKey: 'k' });
    // The same key again: nothing new is stored, and the slot it reserved is free again.
    expect(await engine.executeWorkflow('slow', {}, { idempotencyKey: 'k' })).toBe(held);
    const other = await engine.executeWorkflow('fast', {});
    expect((await engine.waitForCompletion(other, { timeout: 5 })).status).toBe('completed');
    release.open();
    expect((await engine.waitForCompletion(held)).status).toBe('completed');
    expect(entered.count).toBe(1);
  });

  it('a durable store holds the execution as running while its first step works', async () => {
    const store = new SqliteStore(`${tempDir()}/reserve.sqlite`);
    const release = gate();
    const entered = { count: 0 };
    const orch = await withOrchestrator({ store, actions: { slow: blocking(release, entered) } });
    const engine = orch.workflowEngine;
    await engine.defineWorkflow('w', [{ name: 'slow' }]);
    const id = await engine.executeWorkflow('w', {});
    const stored = await store.getExecution(id);
    expect(stored?.execution.status).toBe('running');
    expect(stored?.execution.startedAt).toEqual(expect.any(Number));
    release.open();
    expect((await engine.waitForCompletion(id)).status).toBe('completed');
    expect((await store.getExecution(id))?.execution.status).toBe('completed');
  });
});

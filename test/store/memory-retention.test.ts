/**
 * The memory store keeps every unfinished execution and the newest `maxFinished` finished ones;
 * evicted executions disappear from reads but stay counted in the aggregates.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { sumAggregates } from '../../src/store/states.js';
import { makeExecution } from './records.js';

async function finish(store: MemoryStore, id: string, status: 'completed' | 'failed'): Promise<void> {
  await store.update({
    id,
    epoch: 1,
    set: { status, completedAt: 1, stepsRun: 2, stepsRetried: 1, compensated: status === 'failed' },
  });
}

describe('MemoryStore retention', () => {
  it('evicts the executions that finished first beyond maxFinished, keeping their counts', async () => {
    const store = new MemoryStore({ maxFinished: 2 });
    for (const [i, wf] of ['a', 'b', 'a', 'b'].entries()) {
      await store.createExecution(
        makeExecution({ id: `e${i}`, workflowId: wf, epoch: 1, idempotencyKey: `k${i}` }),
      );
    }
    await store.createExecution(makeExecution({ id: 'running', workflowId: 'a', epoch: 1 }));
    await finish(store, 'e0', 'completed');
    await finish(store, 'e1', 'failed');
    await finish(store, 'e2', 'completed');
    await finish(store, 'e3', 'completed');

    expect(await store.getExecution('e0')).toBeNull();
    expect(await store.getExecution('e1')).toBeNull();
    expect((await store.getExecution('e2'))?.execution.status).toBe('completed');
    expect((await store.getExecution('running'))?.execution.status).toBe('pending');
    expect((await store.listExecutions({ limit: 10 })).map((s) => s.execution.id).sort()).toEqual([
      'e2',
      'e3',
      'running',
    ]);

    const all = await store.aggregate();
    expect(all.byStatus).toMatchObject({ completed: 3, failed: 1, pending: 1 });
    expect(all.compensated).toBe(1);
    expect(all.stepsRun).toBe(8);
    expect((await store.aggregate('b')).byStatus).toMatchObject({ completed: 1, failed: 1 });
    // Evicted counts are in the per-workflow aggregates too (b's executions are all evicted or kept).
    const byWorkflow = await store.aggregateByWorkflow();
    expect(byWorkflow.get('b')).toEqual(await store.aggregate('b'));
    expect(byWorkflow.get('a')).toEqual(await store.aggregate('a'));
    expect(sumAggregates(byWorkflow.values())).toEqual(all);

    // An evicted execution's idempotency key is free again; a retained one still answers.
    expect(await store.findByIdempotencyKey('k0')).toBeNull();
    expect(await store.findByIdempotencyKey('k3')).toEqual({ id: 'e3', workflowId: 'b' });
    expect(await store.createExecution(makeExecution({ id: 'new', idempotencyKey: 'k0', epoch: 1 }))).toEqual(
      {
        id: 'new',
        created: true,
      },
    );
    expect(await store.createExecution(makeExecution({ id: 'dup', idempotencyKey: 'k3', epoch: 1 }))).toEqual(
      {
        id: 'e3',
        created: false,
      },
    );
  });

  it('keeps evicting in finishing order over thousands of executions (past the order list compaction)', async () => {
    const store = new MemoryStore({ maxFinished: 10 });
    const total = 3000;
    for (let i = 0; i < total; i++) {
      await store.createExecution(makeExecution({ id: `x${i}`, epoch: 1 }));
    }
    // Finish them out of creation order: evens first, then odds.
    const order = [...Array(total).keys()].sort((a, b) => (a % 2) - (b % 2) || a - b);
    for (const i of order) await finish(store, `x${i}`, 'completed');
    const kept = (await store.listExecutions({ limit: 100 })).map((s) => s.execution.id).sort();
    expect(kept).toEqual(
      order
        .slice(-10)
        .map((i) => `x${i}`)
        .sort(),
    );
    expect((await store.aggregate()).byStatus.completed).toBe(total);
  });

  it('never evicts unfinished executions, and counts a finished one once', async () => {
    const store = new MemoryStore({ maxFinished: 0 });
    await store.createExecution(makeExecution({ id: 'x', epoch: 1 }));
    await store.update({ id: 'x', epoch: 1, set: { status: 'running' } });
    expect(await store.getExecution('x')).not.toBeNull();
    await finish(store, 'x', 'completed');
    expect(await store.getExecution('x')).toBeNull();
    expect((await store.aggregate()).byStatus.completed).toBe(1);
  });

  it('rejects a bad maxFinished', () => {
    expect(() => new MemoryStore({ maxFinished: -1 })).toThrow(ValidationError);
    expect(() => new MemoryStore({ maxFinished: 1.5 })).toThrow(ValidationError);
  });
});

/**
 * The memory store keeps every unfinished execution and the newest `maxFinished` finished ones;
 * evicted executions disappear from reads but stay counted in the aggregates.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import type { FinishedIndex } from '../../src/store/finished-index.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { sumAggregates } from '../../src/store/states.js';
import type { ExecutionRecord } from '../../src/store/store.js';
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

  it("says what maxFinished takes and shows what it got, under the store's name", () => {
    expect(() => new MemoryStore({ maxFinished: '5' as never })).toThrow(
      'Invalid MemoryStore options: maxFinished: Expected `maxFinished` to be a non-negative integer, got "5"',
    );
  });
});

/** A finished execution whose store record counts the reads of its `completedAt`. */
function counted(id: string, completedAt: number, reads: { n: number }): ExecutionRecord {
  const record = makeExecution({ id, epoch: 1, status: 'completed' });
  Object.defineProperty(record, 'completedAt', {
    enumerable: true,
    configurable: true,
    get() {
      reads.n++;
      return completedAt;
    },
    set() {},
  });
  return record;
}

/** How many record reads one purge takes on a store of `total` finished executions, `old` of them old. */
async function purgeReads(total: number, old: number): Promise<{ deleted: number; reads: number }> {
  const reads = { n: 0 };
  const store = new MemoryStore({ maxFinished: total });
  for (let i = 0; i < total; i++) {
    await store.createExecution(counted(`x${i}`, i < old ? 100 : 1_000, reads));
  }
  reads.n = 0;
  const deleted = await store.purgeFinished({ before: 500, limit: 500 });
  return { deleted, reads: reads.n };
}

describe('MemoryStore purge at scale', () => {
  it('reads the executions a purge deletes, not every finished one that is not old enough', async () => {
    const small = await purgeReads(2_000, 50);
    const large = await purgeReads(4_000, 50);
    expect(small.deleted).toBe(50);
    expect(large.deleted).toBe(50);
    // Scanning every finished execution read 2,000, then 4,000.
    expect(large.reads).toBe(small.reads);
    expect(large.reads).toBeLessThanOrEqual(3 * 50 + 2);
    expect((await purgeReads(4_000, 0)).reads).toBeLessThanOrEqual(2);
  });

  it('deletes the oldest first, up to the limit, whatever order they finished in', async () => {
    const store = new MemoryStore();
    for (const [id, at] of [
      ['c', 300],
      ['a', 100],
      ['d', 900],
      ['b', 200],
    ] as const) {
      await store.createExecution(makeExecution({ id, epoch: 1, status: 'completed', completedAt: at }));
    }
    expect(await store.purgeFinished({ before: 500, limit: 2 })).toBe(2);
    expect((await store.listExecutions({ limit: 10 })).map((s) => s.execution.id).sort()).toEqual(['c', 'd']);
    expect(await store.purgeFinished({ before: 500, limit: 2 })).toBe(1);
    expect(await store.purgeFinished({ before: 500, limit: 2 })).toBe(0);
  });

  it('purges an execution whose completion time an update set after it finished', async () => {
    const store = new MemoryStore();
    await store.createExecution(makeExecution({ id: 'x', epoch: 1, status: 'completed', completedAt: null }));
    expect(await store.purgeFinished({ before: 500, limit: 10 })).toBe(0);
    await store.update({ id: 'x', epoch: 1, set: { completedAt: 100 } });
    expect(await store.purgeFinished({ before: 500, limit: 10 })).toBe(1);
    expect(await store.getExecution('x')).toBeNull();
  });

  it('a running execution given a completion time stays unfinished until an update finishes it', async () => {
    // (The update of a running execution skips the finished index unless it sets `completedAt`.)
    const store = new MemoryStore({ maxFinished: 1 });
    await store.createExecution(makeExecution({ id: 'r', epoch: 1, status: 'running' }));
    await store.update({ id: 'r', epoch: 1, set: { status: 'running', completedAt: 100 } });
    await store.createExecution(
      makeExecution({ id: 'done', epoch: 1, status: 'completed', completedAt: 50 }),
    );
    expect(await store.purgeFinished({ before: 500, limit: 10 })).toBe(1);
    expect((await store.getExecution('r'))?.execution.status).toBe('running');
    await store.update({ id: 'r', epoch: 1, set: { stepsRun: 1 } });
    expect((await store.getExecution('r'))?.execution.completedAt).toBe(100);
    // Finished by an update that leaves `completedAt` as it was: purged by that time.
    await store.update({ id: 'r', epoch: 1, set: { status: 'completed' } });
    expect(await store.purgeFinished({ before: 100, limit: 10 })).toBe(0);
    expect(await store.purgeFinished({ before: 101, limit: 10 })).toBe(1);
    expect(await store.getExecution('r')).toBeNull();
  });

  it('forgets purged executions: what it keeps to evict and purge follows what is still stored', async () => {
    const store = new MemoryStore({ maxFinished: 100 });
    // Far more executions than maxFinished, each purged before the next batch: none is ever evicted.
    for (let i = 0; i < 5_000; i++) {
      await store.createExecution(
        makeExecution({ id: `x${i}`, epoch: 1, status: 'completed', completedAt: i }),
      );
      if (i % 50 === 49) expect(await store.purgeFinished({ before: i + 1, limit: 500 })).toBe(50);
    }
    const entries = (of: MemoryStore) => (of as unknown as { finished: FinishedIndex }).finished.entries;
    // The ids of purged executions stayed queued for eviction: 5,000 of them.
    expect(entries(store).order).toBeLessThanOrEqual(2_000);
    expect(entries(store).completions).toBeLessThanOrEqual(2_000);
    expect((await store.aggregate()).byStatus.completed).toBe(5_000);

    // Evicted ones too (without any purge).
    const evicting = new MemoryStore({ maxFinished: 10 });
    for (let i = 0; i < 5_000; i++) {
      await evicting.createExecution(
        makeExecution({ id: `y${i}`, epoch: 1, status: 'completed', completedAt: i }),
      );
    }
    expect(entries(evicting).order).toBeLessThanOrEqual(2_000);
    expect(entries(evicting).completions).toBeLessThanOrEqual(2_000);
    expect(await evicting.purgeFinished({ before: 10_000, limit: 500 })).toBe(10);
  });

  it('evicts an id purged and created again by its new finishing, not its first', async () => {
    const store = new MemoryStore({ maxFinished: 2 });
    const done = (id: string) => makeExecution({ id, epoch: 1, status: 'completed', completedAt: 100 });
    await store.createExecution(done('a'));
    expect(await store.purgeFinished({ before: 500, limit: 10 })).toBe(1);
    await store.createExecution(done('b'));
    await store.createExecution(done('a'));
    await store.createExecution(done('c'));
    expect((await store.listExecutions({ limit: 10 })).map((s) => s.execution.id).sort()).toEqual(['a', 'c']);
  });

  it('still evicts in finishing order after purges took some from the middle', async () => {
    const store = new MemoryStore({ maxFinished: 3 });
    for (const [id, at] of [
      ['a', 100],
      ['b', 900],
      ['c', 100],
    ] as const) {
      await store.createExecution(makeExecution({ id, epoch: 1, status: 'completed', completedAt: at }));
    }
    expect(await store.purgeFinished({ before: 500, limit: 10 })).toBe(2);
    for (const id of ['d', 'e', 'f']) {
      await store.createExecution(makeExecution({ id, epoch: 1, status: 'completed', completedAt: 900 }));
    }
    expect((await store.listExecutions({ limit: 10 })).map((s) => s.execution.id).sort()).toEqual([
      'd',
      'e',
      'f',
    ]);
    expect((await store.aggregate()).byStatus.completed).toBe(6);
  });
});

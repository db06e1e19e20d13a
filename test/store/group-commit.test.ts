import { describe, expect, it } from 'vitest';
import {
  type BatchHandler,
  failed,
  GroupCommit,
  type Outcome,
  succeeded,
} from '../../src/store/group-commit.js';
import { deferred } from '../helpers/deferred.js';

interface Op {
  key?: string;
  value: number;
  fail?: boolean;
}

/** A handler that records each batch; outcomes echo the (merged) values. */
function recorder(overrides: Partial<BatchHandler<Op, number>> = {}) {
  const batches: number[][] = [];
  const handler: BatchHandler<Op, number> = {
    commit(batch) {
      batches.push(batch.map((op) => op.value));
      return batch.map((op) => (op.fail ? failed(new Error(`op ${op.value}`)) : succeeded(op.value)));
    },
    key: (op) => op.key,
    ...overrides,
  };
  return { batches, gc: new GroupCommit<Op, number>(handler) };
}

describe('GroupCommit', () => {
  it('commits everything enqueued in one tick in one batch, in order', async () => {
    const { batches, gc } = recorder();
    const results = await Promise.all([1, 2, 3].map((value) => gc.enqueue({ value })));
    expect(results).toEqual([1, 2, 3]);
    expect(batches).toEqual([[1, 2, 3]]);
    expect(gc.stats).toEqual({ flushes: 1, operations: 3, merged: 0 });
  });

  it('does not commit before setImmediate, and settles only after the commit', async () => {
    const { batches, gc } = recorder();
    let settled = false;
    const done = gc.enqueue({ value: 1 }).then(() => {
      settled = true;
    });
    await Promise.resolve();
    expect(batches).toEqual([]);
    expect(settled).toBe(false);
    await done;
    expect(batches).toEqual([[1]]);
  });

  it('a failed operation rejects only its own caller', async () => {
    const { gc } = recorder();
    const results = await Promise.allSettled([
      gc.enqueue({ value: 1 }),
      gc.enqueue({ value: 2, fail: true }),
      gc.enqueue({ value: 3 }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toEqual(new Error('op 2'));
  });

  it('a failed transaction rejects every operation in it', async () => {
    const boom = new Error('disk full');
    const { gc } = recorder({
      commit() {
        throw boom;
      },
    });
    const results = await Promise.allSettled([gc.enqueue({ value: 1 }), gc.enqueue({ value: 2 })]);
    expect(results).toEqual([
      { status: 'rejected', reason: boom },
      { status: 'rejected', reason: boom },
    ]);
  });

  it('rejects everything when the adapter returns the wrong number of outcomes', async () => {
    const { gc } = recorder({ commit: () => [succeeded(1)] });
    const results = await Promise.allSettled([gc.enqueue({ value: 1 }), gc.enqueue({ value: 2 })]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  it('with an async commit, operations enqueued meanwhile wait for the next flush', async () => {
    const commits: { values: number[]; done: ReturnType<typeof deferred<readonly Outcome<number>[]>> }[] = [];
    const gc = new GroupCommit<Op, number>({
      commit(batch) {
        const done = deferred<readonly Outcome<number>[]>();
        commits.push({ values: batch.map((op) => op.value), done });
        return done.promise;
      },
    });
    let firstSettled = false;
    const first = gc.enqueue({ value: 1 }).then((v) => {
      firstSettled = true;
      return v;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(commits.map((c) => c.values)).toEqual([[1]]);
    const second = [gc.enqueue({ value: 2 }), gc.enqueue({ value: 3 })];
    await new Promise((resolve) => setImmediate(resolve));
    expect(commits).toHaveLength(1);
    expect(firstSettled).toBe(false);
    commits[0]!.done.resolve([succeeded(1)]);
    expect(await first).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(commits.map((c) => c.values)).toEqual([[1], [2, 3]]);
    commits[1]!.done.reject(new Error('lost connection'));
    await expect(Promise.all(second)).rejects.toThrow('lost connection');
  });

  it('merges operations with the same key and settles every merged caller after the commit', async () => {
    const { batches, gc } = recorder({
      merge(into, next) {
        if (next.value < 0) return false;
        into.value += next.value;
        return true;
      },
    });
    const results = await Promise.all([
      gc.enqueue({ key: 'a', value: 1 }),
      gc.enqueue({ key: 'b', value: 10 }),
      gc.enqueue({ key: 'a', value: 2 }),
      gc.enqueue({ key: 'a', value: -5 }),
      gc.enqueue({ key: 'a', value: 4 }),
    ]);
    expect(batches).toEqual([[3, 10, -1]]);
    expect(results).toEqual([3, 10, 3, -1, -1]);
    expect(gc.stats.merged).toBe(2);
  });

  it('an operation without a key is a barrier to merging', async () => {
    const { batches, gc } = recorder({
      merge(into, next) {
        into.value += next.value;
        return true;
      },
    });
    await Promise.all([
      gc.enqueue({ key: 'a', value: 1 }),
      gc.enqueue({ value: 100 }),
      gc.enqueue({ key: 'a', value: 2 }),
    ]);
    expect(batches).toEqual([[1, 100, 2]]);
  });

  it('flush commits at once; close flushes, waits, and refuses new operations', async () => {
    const { batches, gc } = recorder();
    const pending = gc.enqueue({ value: 1 });
    await gc.flush();
    expect(batches).toEqual([[1]]);
    await pending;
    const late = gc.enqueue({ value: 2 });
    await gc.close();
    expect(await late).toBe(2);
    await expect(gc.enqueue({ value: 3 })).rejects.toMatchObject({ code: 'CLOSED' });
    expect(batches).toEqual([[1], [2]]);
  });
});

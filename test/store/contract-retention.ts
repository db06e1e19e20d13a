/**
 * Store contract, part 6: retention (`purgeFinished`) deletes finished executions that completed
 * before a time, in bounded batches, with their steps, input and idempotency key, and never an
 * unfinished one; the aggregates keep counting what it deleted. `countFinished` counts what it
 * would delete (`orchestrator purge` without `--yes`).
 * @module
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { addAggregates, emptyAggregates } from '../../src/store/states.js';
import type { ExecutionRecord, Store, StoreAggregates } from '../../src/store/store.js';
import type { CurrentStore } from './contract.js';
import { makeExecution, makeStep } from './records.js';

const LEASE = 9_000_000_000_000;

/** Finished executions completed at 100..500 and unfinished ones created long ago. */
function seed(): ExecutionRecord[] {
  const finished = (
    id: string,
    status: 'completed' | 'failed' | 'cancelled',
    completedAt: number,
    more = {},
  ) =>
    makeExecution({
      id,
      workflowId: 'w1',
      status,
      createdAt: 10,
      completedAt,
      owner: 'n1',
      stepsRun: 2,
      ...more,
    });
  return [
    finished('old-completed', 'completed', 100, { idempotencyKey: 'key-1', stepsRetried: 1 }),
    finished('old-failed', 'failed', 200, { compensated: true, workflowId: 'w2' }),
    finished('old-cancelled', 'cancelled', 300, { owner: null }),
    finished('recent', 'completed', 500),
    // A finished execution that has no completion time is not known to be old.
    finished('no-time', 'completed', 0, { completedAt: null }),
    // Unfinished, even with a (stale) completion time: never deleted.
    makeExecution({ id: 'pending', workflowId: 'w1', createdAt: 1, status: 'pending' }),
    makeExecution({
      id: 'running',
      workflowId: 'w1',
      createdAt: 1,
      status: 'running',
      owner: 'n1',
      leaseUntil: LEASE,
    }),
    makeExecution({
      id: 'compensating',
      workflowId: 'w1',
      createdAt: 1,
      completedAt: 50,
      status: 'compensating',
      owner: 'n2',
      leaseUntil: LEASE,
    }),
  ];
}

/** The sum of a store's aggregates read with `owner` and with `exceptOwner`. */
async function split(store: Store, owner: string): Promise<StoreAggregates> {
  const out = emptyAggregates();
  for (const part of [{ owner }, { exceptOwner: owner }]) {
    for (const agg of (await store.aggregateByWorkflow(part)).values()) addAggregates(out, agg);
  }
  return out;
}

export function retentionContract(store: CurrentStore): void {
  describe('retention (purgeFinished)', () => {
    beforeEach(async () => {
      for (const record of seed()) {
        await store().createExecution(record, [makeStep(record.id, 'a'), makeStep(record.id, 'b')]);
      }
    });

    it('deletes only finished executions that completed before the time, with steps and input', async () => {
      const purge = store().purgeFinished!.bind(store());
      expect(await purge({ before: 300, limit: 100 })).toBe(2);
      expect(await store().getExecution('old-completed')).toBeNull();
      expect(await store().getExecution('old-failed')).toBeNull();
      expect(await store().getExecutions(['old-completed', 'old-cancelled'])).toHaveLength(1);
      const left = (await store().listExecutions({ limit: 100 })).map((s) => s.execution.id).sort();
      expect(left).toEqual(['compensating', 'no-time', 'old-cancelled', 'pending', 'recent', 'running']);
      // Idempotent, and a later time takes the rest; unfinished ones stay whatever the time.
      expect(await purge({ before: 300, limit: 100 })).toBe(0);
      expect(await purge({ before: 9_999_999_999_999, limit: 100 })).toBe(2);
      expect((await store().listExecutions({ limit: 100 })).map((s) => s.execution.id).sort()).toEqual([
        'compensating',
        'no-time',
        'pending',
        'running',
      ]);
      expect((await store().getExecution('running'))?.steps).toHaveLength(2);
    });

    it('counts what a purge would delete (countFinished), deleting nothing', async () => {
      const count = store().countFinished!.bind(store());
      expect(await count(300)).toBe(2);
      expect(await count(301)).toBe(3);
      expect(await count(9_999_999_999_999)).toBe(4);
      expect(await count(100)).toBe(0);
      expect((await store().listExecutions({ limit: 100 })).length).toBe(8);
      expect(await store().purgeFinished!({ before: 301, limit: 100 })).toBe(3);
      expect(await count(9_999_999_999_999)).toBe(1);
    });

    it('deletes at most `limit` per call', async () => {
      const purge = store().purgeFinished!.bind(store());
      expect(await purge({ before: 1_000, limit: 3 })).toBe(3);
      expect(await purge({ before: 1_000, limit: 3 })).toBe(1);
      expect(await purge({ before: 1_000, limit: 3 })).toBe(0);
      expect(await purge({ before: 1_000, limit: 0 })).toBe(0);
    });

    it('frees the idempotency key of a deleted execution', async () => {
      expect(await store().findByIdempotencyKey?.('key-1')).toEqual({
        id: 'old-completed',
        workflowId: 'w1',
      });
      await store().purgeFinished!({ before: 150, limit: 10 });
      expect(await store().findByIdempotencyKey?.('key-1')).toBeNull();
      const again = makeExecution({ id: 'again', idempotencyKey: 'key-1' });
      expect(await store().createExecution(again)).toEqual({ id: 'again', created: true });
    });

    it('keeps the aggregates: overall, per workflow, and split by owner', async () => {
      const before = {
        all: await store().aggregate(),
        w1: await store().aggregate('w1'),
        byWorkflow: await store().aggregateByWorkflow(),
        split: await split(store(), 'n1'),
      };
      expect(await store().purgeFinished!({ before: 1_000, limit: 100 })).toBe(4);
      expect(await store().aggregate()).toEqual(before.all);
      expect(await store().aggregate('w1')).toEqual(before.w1);
      expect(await store().aggregateByWorkflow()).toEqual(before.byWorkflow);
      expect(await split(store(), 'n1')).toEqual(before.split);
      expect(before.all.byStatus).toMatchObject({ completed: 3, failed: 1, cancelled: 1, pending: 1 });
      expect(before.all).toMatchObject({ compensated: 1, stepsRun: 10, stepsRetried: 1 });
      // A second purge adds to the counts already kept.
      await store().createExecution(
        makeExecution({
          id: 'later',
          workflowId: 'w1',
          status: 'completed',
          createdAt: 10,
          completedAt: 600,
          stepsRun: 5,
        }),
      );
      await store().purgeFinished!({ before: 1_000, limit: 100 });
      const after = await store().aggregate('w1');
      expect(after.byStatus.completed).toBe(before.w1.byStatus.completed + 1);
      expect(after.stepsRun).toBe(before.w1.stepsRun + 5);
    });

    it('SQLite and PostgreSQL count deleted executions under the owner that held them; memory, as the others’', async () => {
      const all = await store().aggregateByWorkflow();
      const mine = await store().aggregateByWorkflow({ owner: 'n1' });
      const others = await store().aggregateByWorkflow({ exceptOwner: 'n1' });
      await store().purgeFinished!({ before: 1_000, limit: 100 });
      expect(await store().aggregateByWorkflow()).toEqual(all);
      if (store().kind !== 'memory') {
        // What a node reads of the others does not grow by what it ran itself (it counts that).
        expect(await store().aggregateByWorkflow({ owner: 'n1' })).toEqual(mine);
        expect(await store().aggregateByWorkflow({ exceptOwner: 'n1' })).toEqual(others);
      } else {
        // One process, one node: a deleted execution keeps no owner and counts as the others'.
        const nowMine = await store().aggregateByWorkflow({ owner: 'n1' });
        const nowOthers = await store().aggregateByWorkflow({ exceptOwner: 'n1' });
        expect(nowMine.has('w2')).toBe(false);
        expect(nowOthers.get('w2')).toEqual(mine.get('w2'));
        expect(nowMine.get('w1')?.byStatus.completed).toBe(1); // 'no-time': not known to be old, kept
        expect(nowOthers.get('w1')?.byStatus.completed).toBe(2);
      }
    });
  });
}

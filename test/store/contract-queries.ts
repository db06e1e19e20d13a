/**
 * Store contract, part 3: listing, counting and aggregating executions.
 * @module
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { sumAggregates } from '../../src/store/states.js';
import type { ExecutionRecord } from '../../src/store/store.js';
import type { CurrentStore } from './contract.js';
import { makeExecution, makeStep } from './records.js';

/** Six executions over two workflows; `t3a`/`t3b` share a creation time. */
export function seed(): ExecutionRecord[] {
  return [
    makeExecution({
      id: 't1',
      input: { seed: 1 },
      workflowId: 'w1',
      createdAt: 1000,
      status: 'completed',
      stepsRun: 2,
      stepsRetried: 1,
      owner: 'n1',
    }),
    makeExecution({
      id: 't2',
      workflowId: 'w2',
      createdAt: 2000,
      status: 'failed',
      compensated: true,
      stepsRun: 3,
    }),
    makeExecution({
      id: 't3a',
      workflowId: 'w1',
      createdAt: 3000,
      status: 'running',
      stepsRun: 1,
      owner: 'n1',
      leaseUntil: 9_000_000_000_000,
    }),
    makeExecution({
      id: 't3b',
      workflowId: 'w1',
      createdAt: 3000,
      status: 'completed',
      stepsRun: 4,
      stepsRetried: 2,
    }),
    makeExecution({
      id: 't4',
      workflowId: 'w2',
      createdAt: 4000,
      status: 'pending',
      owner: 'n2',
      leaseUntil: 9_000_000_000_000,
    }),
    makeExecution({ id: 't5', workflowId: 'w1', createdAt: 5000, status: 'cancelled', compensated: true }),
  ];
}

/** The ids of a listing, in its order. */
export const ids = (list: { execution: { id: string } }[]) => list.map((s) => s.execution.id);

/** listExecutions, countExecutions, aggregate. */
export function queryContract(store: CurrentStore): void {
  describe('list, count, aggregate', () => {
    beforeEach(async () => {
      const steps: Record<string, string[]> = { t1: ['b', 'a'], t3b: ['x'] };
      await Promise.all(
        seed().map((e) =>
          store().createExecution(
            e,
            (steps[e.id] ?? []).map((name) => makeStep(e.id, name)),
          ),
        ),
      );
    });

    it('lists newest first, ties by id descending', async () => {
      expect(ids(await store().listExecutions({ limit: 100 }))).toEqual([
        't5',
        't4',
        't3b',
        't3a',
        't2',
        't1',
      ]);
    });

    it('filters by status, by workflow, and by both', async () => {
      expect(ids(await store().listExecutions({ status: 'completed', limit: 10 }))).toEqual(['t3b', 't1']);
      expect(ids(await store().listExecutions({ workflowId: 'w2', limit: 10 }))).toEqual(['t4', 't2']);
      expect(ids(await store().listExecutions({ workflowId: 'w1', status: 'completed', limit: 10 }))).toEqual(
        ['t3b', 't1'],
      );
      expect(await store().listExecutions({ workflowId: 'w3', limit: 10 })).toEqual([]);
    });

    it('pages with limit and offset', async () => {
      expect(ids(await store().listExecutions({ limit: 2 }))).toEqual(['t5', 't4']);
      expect(ids(await store().listExecutions({ limit: 2, offset: 2 }))).toEqual(['t3b', 't3a']);
      expect(ids(await store().listExecutions({ limit: 2, offset: 5 }))).toEqual(['t1']);
      expect(await store().listExecutions({ limit: 2, offset: 6 })).toEqual([]);
      expect(await store().listExecutions({ limit: 0 })).toEqual([]);
      // Negative values count as 0.
      expect(await store().listExecutions({ limit: -1 })).toEqual([]);
      expect(ids(await store().listExecutions({ limit: 2, offset: -3 }))).toEqual(['t5', 't4']);
    });

    it.each([
      ['limit', Number.POSITIVE_INFINITY, 'Infinity'],
      ['limit', Number.NaN, 'NaN'],
      ['limit', 1.5, '1.5'],
      ['limit', 1e300, '1e+300'],
      ['offset', Number.POSITIVE_INFINITY, 'Infinity'],
      ['offset', 0.5, '0.5'],
    ] as const)('refuses a %s of %s that is no safe integer, naming it', async (key, value, shown) => {
      const listing = store().listExecutions({ limit: 2, [key]: value });
      await expect(listing).rejects.toBeInstanceOf(ValidationError);
      await expect(store().listExecutions({ limit: 2, [key]: value })).rejects.toThrow(
        `Invalid listExecutions filter: ${key}: expected a safe integer (a negative one counts as 0), got ${shown}`,
      );
    });

    it("includes each execution's record and steps (by name)", async () => {
      const list = await store().listExecutions({ workflowId: 'w1', limit: 10 });
      const byId = new Map(list.map((s) => [s.execution.id, s]));
      expect(byId.get('t1')?.steps.map((s) => s.name)).toEqual(['a', 'b']);
      expect(byId.get('t3b')?.steps).toEqual([makeStep('t3b', 'x')]);
      expect(byId.get('t3a')?.steps).toEqual([]);
      expect(byId.get('t1')?.execution).toEqual(seed()[0]);
    });

    it('counts with the same filters', async () => {
      expect(await store().countExecutions({})).toBe(6);
      expect(await store().countExecutions({ status: 'completed' })).toBe(2);
      expect(await store().countExecutions({ workflowId: 'w2' })).toBe(2);
      expect(await store().countExecutions({ workflowId: 'w1', status: 'running' })).toBe(1);
      expect(await store().countExecutions({ status: 'compensating' })).toBe(0);
    });

    it('aggregates counts for all six states and sums the counters, overall and per workflow', async () => {
      expect(await store().aggregate()).toEqual({
        byStatus: { pending: 1, running: 1, compensating: 0, completed: 2, failed: 1, cancelled: 1 },
        compensated: 2,
        stepsRun: 10,
        stepsRetried: 3,
      });
      expect(await store().aggregate('w1')).toEqual({
        byStatus: { pending: 0, running: 1, compensating: 0, completed: 2, failed: 0, cancelled: 1 },
        compensated: 1,
        stepsRun: 7,
        stepsRetried: 3,
      });
      expect(await store().aggregate('none')).toEqual({
        byStatus: { pending: 0, running: 0, compensating: 0, completed: 0, failed: 0, cancelled: 0 },
        compensated: 0,
        stepsRun: 0,
        stepsRetried: 0,
      });
    });

    it('aggregates every workflow with executions in one read, as aggregate(id) does one', async () => {
      const all = await store().aggregateByWorkflow();
      expect([...all.keys()].sort()).toEqual(['w1', 'w2']);
      for (const id of ['w1', 'w2']) expect(all.get(id)).toEqual(await store().aggregate(id));
      expect(all.get('w1')?.byStatus).toMatchObject({ running: 1, completed: 2, cancelled: 1 });
      // What start-up and `orchestrator metrics` rely on: their sum is the overall aggregate.
      expect(sumAggregates(all.values())).toEqual(await store().aggregate());
    });

    it('aggregates per workflow the executions an owner does not hold (unowned ones included)', async () => {
      const others = await store().aggregateByWorkflow({ exceptOwner: 'n1' });
      expect([...others.keys()].sort()).toEqual(['w1', 'w2']);
      // n1 holds t1 (completed, 2 steps, 1 retried) and t3a (running, 1 step) of w1.
      expect(others.get('w1')).toEqual({
        byStatus: { pending: 0, running: 0, compensating: 0, completed: 1, failed: 0, cancelled: 1 },
        compensated: 1,
        stepsRun: 4,
        stepsRetried: 2,
      });
      expect(others.get('w2')).toEqual(await store().aggregate('w2'));
      const notN2 = await store().aggregateByWorkflow({ exceptOwner: 'n2' });
      expect(notN2.get('w2')?.byStatus).toMatchObject({ pending: 0, failed: 1 });
      expect(await store().aggregateByWorkflow({ exceptOwner: 'nobody' })).toEqual(
        await store().aggregateByWorkflow(),
      );
    });

    it('aggregates per workflow the executions one owner holds', async () => {
      const mine = await store().aggregateByWorkflow({ owner: 'n1' });
      expect([...mine.keys()]).toEqual(['w1']);
      // n1 holds t1 (completed, 2 steps, 1 retried) and t3a (running, 1 step) of w1.
      expect(mine.get('w1')).toEqual({
        byStatus: { pending: 0, running: 1, compensating: 0, completed: 1, failed: 0, cancelled: 0 },
        compensated: 0,
        stepsRun: 3,
        stepsRetried: 1,
      });
      expect(await store().aggregateByWorkflow({ owner: 'nobody' })).toEqual(new Map());
      await expect(store().aggregateByWorkflow({ owner: 'n1', exceptOwner: 'n2' })).rejects.toThrow(
        /owner or exceptOwner/,
      );
    });

    it('reads what one owner holds at once: its aggregates and its unfinished executions', async () => {
      const read = store().readOwned?.bind(store());
      expect(read).toBeDefined();
      if (!read) return;
      // Older than t3a: listed first, as listOwned lists them.
      await store().createExecution(
        makeExecution({
          id: 't0',
          workflowId: 'w2',
          createdAt: 500,
          status: 'pending',
          owner: 'n1',
          input: 7,
        }),
      );
      const owned = await read('n1');
      expect(owned.byWorkflow).toEqual(await store().aggregateByWorkflow({ owner: 'n1' }));
      expect(owned.byWorkflow.get('w2')?.byStatus.pending).toBe(1);
      expect(owned.unfinished.map((r) => r.id)).toEqual(await store().listOwned('n1', 100));
      expect(owned.unfinished.map((r) => r.id)).toEqual(['t0', 't3a']);
      const stored = await store().getExecutions(['t0', 't3a']);
      expect(owned.unfinished).toEqual(stored.map((snapshot) => snapshot.execution));
      expect(await read('nobody')).toEqual({ byWorkflow: new Map(), unfinished: [] });
    });

    it('aggregates follow updates', async () => {
      await store().update({
        id: 't3a',
        epoch: 0,
        set: { status: 'completed', stepsRun: 5, stepsRetried: 1 },
      });
      const totals = await store().aggregate();
      expect(totals.byStatus).toMatchObject({ running: 0, completed: 3 });
      expect(totals).toMatchObject({ stepsRun: 14, stepsRetried: 4 });
    });
  });
}

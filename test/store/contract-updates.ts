/**
 * Store contract, part 2: updates, epoch fencing, and concurrent (group-committed, coalesced)
 * updates.
 * @module
 */
import { describe, expect, it } from 'vitest';
import { LeaseLostError } from '../../src/errors.js';
import type { CurrentStore } from './contract.js';
import { makeExecution, makeStep } from './records.js';

/** update(): patches, steps, fencing, concurrency. */
export function updateContract(store: CurrentStore): void {
  describe('update', () => {
    it('applies the patch and inserts or replaces step records', async () => {
      await store().createExecution(makeExecution({ id: 'u', input: { big: 'x'.repeat(10_000) } }), [
        makeStep('u', 'a'),
      ]);
      await store().update({
        id: 'u',
        epoch: 0,
        set: { status: 'running', startedAt: 5, cursor: 1, stepsRun: 1, error: { code: 'X', message: 'y' } },
        steps: [makeStep('u', 'a', { status: 'running', attempts: 1, startedAt: 5 })],
      });
      await store().update({
        id: 'u',
        epoch: 0,
        set: { error: null, lastStep: 'a', compensatedSteps: ['a'], compensated: true },
        steps: [
          makeStep('u', 'a', { status: 'completed', output: { ok: 1 } }),
          makeStep('u', 'b', { status: 'pending' }),
        ],
      });
      const { execution, steps } = (await store().getExecution('u'))!;
      expect(execution).toMatchObject({
        status: 'running',
        startedAt: 5,
        cursor: 1,
        stepsRun: 1,
        error: null,
      });
      expect(execution).toMatchObject({
        lastStep: 'a',
        compensatedSteps: ['a'],
        compensated: true,
        workflowId: 'wf',
      });
      expect(execution.input).toEqual({ big: 'x'.repeat(10_000) });
      expect(steps).toEqual([
        makeStep('u', 'a', { status: 'completed', output: { ok: 1 } }),
        makeStep('u', 'b'),
      ]);
    });

    it('ignores undefined values and can set fields back to null', async () => {
      await store().createExecution(
        makeExecution({ id: 'n', owner: 'me', leaseUntil: 9, lastStep: 'a', cursor: 1 }),
      );
      await store().update({
        id: 'n',
        epoch: 0,
        set: { lastStep: undefined, cursor: 2, owner: null, leaseUntil: null },
      });
      expect((await store().getExecution('n'))?.execution).toMatchObject({
        lastStep: 'a',
        cursor: 2,
        owner: null,
        leaseUntil: null,
      });
    });

    it("a runner's whole-state patch can set completedAt back to null", async () => {
      await store().createExecution(makeExecution({ id: 'c', status: 'failed', completedAt: 5 }));
      await store().update({
        id: 'c',
        epoch: 0,
        set: {
          status: 'running',
          error: null,
          outcome: null,
          startedAt: 1,
          completedAt: null,
          workerId: null,
          cursor: 0,
          transitions: 0,
          lastStep: null,
          deadlineAt: null,
          completionSeq: 0,
          compensatedSteps: [],
        },
      });
      expect((await store().getExecution('c'))?.execution).toMatchObject({
        status: 'running',
        completedAt: null,
      });
    });

    it('stores an error message holding half of a UTF-16 surrogate pair (text cut inside an emoji)', async () => {
      await store().createExecution(makeExecution({ id: 's' }));
      const message = `bad reply: ${'😀'.slice(0, 1)}`;
      await store().update({ id: 's', epoch: 0, set: { error: { code: 'STEP_FAILED', message } } });
      const stored = (await store().getExecution('s'))?.execution.error;
      expect(stored?.code).toBe('STEP_FAILED');
      // Kept as is, or (where the database cannot hold it) replaced by U+FFFD.
      expect([message, 'bad reply: \ufffd']).toContain(stored?.message);
    });

    it('refuses a stale epoch with LeaseLostError and writes nothing; the current epoch is accepted', async () => {
      await store().createExecution(makeExecution({ id: 'f', epoch: 2, owner: 'new' }));
      const stale = store().update({
        id: 'f',
        epoch: 1,
        set: { cursor: 9, status: 'failed' },
        steps: [makeStep('f', 'z')],
      });
      await expect(stale).rejects.toBeInstanceOf(LeaseLostError);
      await expect(stale).rejects.toMatchObject({ code: 'LEASE_LOST' });
      let snapshot = (await store().getExecution('f'))!;
      expect(snapshot.execution).toMatchObject({ cursor: 0, status: 'pending', epoch: 2 });
      expect(snapshot.steps).toEqual([]);
      await store().update({ id: 'f', epoch: 2, set: { cursor: 1 }, steps: [makeStep('f', 'a')] });
      snapshot = (await store().getExecution('f'))!;
      expect(snapshot.execution.cursor).toBe(1);
      expect(snapshot.steps.map((s) => s.name)).toEqual(['a']);
    });

    it('rejects an update of an unknown execution', async () => {
      await expect(store().update({ id: 'ghost', epoch: 0, set: { cursor: 1 } })).rejects.toMatchObject({
        code: 'EXECUTION_NOT_FOUND',
      });
    });

    it('concurrent updates of many executions in one tick are all applied when they resolve', async () => {
      const ids = Array.from({ length: 60 }, (_, i) => `m${i}`);
      await Promise.all(ids.map((id) => store().createExecution(makeExecution({ id }))));
      await Promise.all(
        ids.map((id, i) =>
          store().update({
            id,
            epoch: 0,
            set: { cursor: i, status: 'running' },
            steps: [makeStep(id, 's', { attempts: i })],
          }),
        ),
      );
      for (const [i, id] of ids.entries()) {
        const snapshot = (await store().getExecution(id))!;
        expect(snapshot.execution.cursor).toBe(i);
        expect(snapshot.steps[0]!.attempts).toBe(i);
      }
    });

    it('updates of one execution in one tick all resolve and apply in order', async () => {
      await store().createExecution(makeExecution({ id: 'co' }));
      const results = await Promise.allSettled([
        store().update({
          id: 'co',
          epoch: 0,
          set: { cursor: 1 },
          steps: [makeStep('co', 'a', { attempts: 1 })],
        }),
        store().update({
          id: 'co',
          epoch: 0,
          set: { cursor: 2, lastStep: 'a' },
          steps: [makeStep('co', 'a', { attempts: 2 }), makeStep('co', 'b')],
        }),
        store().update({ id: 'co', epoch: 0, set: { status: 'running' } }),
        store().update({ id: 'co', epoch: 0, set: { cursor: 3 }, steps: [makeStep('co', 'c')] }),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
      const { execution, steps } = (await store().getExecution('co'))!;
      expect(execution).toMatchObject({ cursor: 3, lastStep: 'a', status: 'running' });
      expect(steps.map((s) => [s.name, s.attempts])).toEqual([
        ['a', 2],
        ['b', 0],
        ['c', 0],
      ]);
    });

    it('a stale update among same-tick updates of one execution fails alone', async () => {
      await store().createExecution(makeExecution({ id: 'st', epoch: 1 }));
      const results = await Promise.allSettled([
        store().update({ id: 'st', epoch: 1, set: { cursor: 1 } }),
        store().update({ id: 'st', epoch: 0, set: { cursor: 99 }, steps: [makeStep('st', 'stale')] }),
        store().update({ id: 'st', epoch: 1, steps: [makeStep('st', 'ok')] }),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(LeaseLostError);
      const { execution, steps } = (await store().getExecution('st'))!;
      expect(execution.cursor).toBe(1);
      expect(steps.map((s) => s.name)).toEqual(['ok']);
    });

    it('an update issued in the same tick as its create applies after it', async () => {
      const [created] = await Promise.all([
        store().createExecution(makeExecution({ id: 'cu' })),
        store().update({ id: 'cu', epoch: 0, set: { status: 'running' }, steps: [makeStep('cu', 'a')] }),
      ]);
      expect(created.created).toBe(true);
      const snapshot = (await store().getExecution('cu'))!;
      expect(snapshot.execution.status).toBe('running');
      expect(snapshot.steps).toHaveLength(1);
    });
  });
}

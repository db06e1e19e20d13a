/**
 * Store contract, part 1: definitions, creating and reading executions, idempotency keys.
 * @module
 */
import { describe, expect, it } from 'vitest';
import type { DefinitionRecord } from '../../src/store/store.js';
import type { CurrentStore } from './contract.js';
import { makeExecution, makeStep } from './records.js';

function definition(id: string, version: number): DefinitionRecord {
  return {
    id,
    version,
    steps: [{ name: 'a', action: 'x', retry: { maxAttempts: 3 } }],
    options: { timeout: 1000 * version, tags: ['t'] },
    createdAt: 500 + version,
  };
}

/** Definitions, creating and reading executions. */
export function recordContract(store: CurrentStore): void {
  describe('definitions', () => {
    it('round-trip, oldest version first, per workflow or all', async () => {
      await store().saveDefinition(definition('b', 1));
      await store().saveDefinition(definition('a', 2));
      await store().saveDefinition(definition('a', 1));
      expect(await store().listDefinitions('a')).toEqual([definition('a', 1), definition('a', 2)]);
      expect(await store().listDefinitions()).toEqual([
        definition('a', 1),
        definition('a', 2),
        definition('b', 1),
      ]);
      expect(await store().listDefinitions('missing')).toEqual([]);
    });

    it('lists only the versions above afterVersion when asked', async () => {
      for (const version of [1, 2, 3]) await store().saveDefinition(definition('a', version));
      await store().saveDefinition(definition('b', 4));
      expect(await store().listDefinitions('a', 1)).toEqual([definition('a', 2), definition('a', 3)]);
      expect(await store().listDefinitions('a', 3)).toEqual([]);
      expect(await store().listDefinitions('a', 0)).toHaveLength(3);
    });

    it('never replaces a version: saving it again returns false and changes nothing', async () => {
      expect(await store().saveDefinition(definition('a', 1))).toBe(true);
      expect(await store().saveDefinition({ ...definition('a', 1), options: { changed: true } })).toBe(false);
      expect(await store().listDefinitions('a')).toEqual([definition('a', 1)]);
      expect(await store().saveDefinition(definition('a', 2))).toBe(true);
    });
  });

  describe('create and get', () => {
    it('round-trips every field, nested JSON included', async () => {
      const full = () =>
        makeExecution({
          id: 'full',
          workflowId: 'orders',
          workflowVersion: 3,
          status: 'compensating',
          input: { user: { id: 7, tags: ['a', 'b'], nested: { deep: [1, { x: null }] } }, note: 'héllo ✓' },
          error: { code: 'STEP_FAILED', message: 'boom', step: 'charge' },
          outcome: 'failed',
          createdAt: 1_700_000_000_000,
          startedAt: 1_700_000_000_100,
          completedAt: 1_700_000_000_900,
          workerId: 'worker-2',
          idempotencyKey: 'key-full',
          cursor: 2,
          transitions: 4,
          lastStep: 'charge',
          deadlineAt: 1_700_000_060_000,
          cancelRequested: true,
          compensated: true,
          stepsRun: 5,
          stepsRetried: 2,
          completionSeq: 3,
          compensatedSteps: ['ship', 'reserve'],
          owner: 'node-1',
          leaseUntil: 1_700_000_030_000,
          epoch: 4,
        });
      const steps = () => [
        makeStep('full', 'reserve', {
          status: 'completed',
          attempts: 2,
          visits: 1,
          startedAt: 10,
          completedAt: 20,
          durationMs: 10,
          output: { items: [{ sku: 'A', qty: 2 }], ok: true },
          completionSeq: 1,
          decision: 'then',
          history: [
            { attempt: 1, startedAt: 10, completedAt: 12, error: { code: 'E', message: 'm' }, retryAt: 15 },
            { attempt: 2, startedAt: 15, completedAt: 20 },
          ],
          compensation: {
            status: 'failed',
            attempts: 3,
            startedAt: 30,
            completedAt: 40,
            error: { code: 'C', message: 'c' },
          },
        }),
        makeStep('full', 'charge', {
          status: 'failed',
          parent: 'par',
          nextAttemptAt: 99,
          timerAt: 77,
          output: null,
        }),
        makeStep('full', 'ship', { status: 'completed', output: undefined }),
      ];
      expect(await store().createExecution(full(), steps())).toEqual({ id: 'full', created: true });
      const snapshot = await store().getExecution('full');
      expect(snapshot?.execution).toStrictEqual(full());
      const expected = steps().map((s) => (s.output === undefined ? { ...s, output: null } : s));
      expect(snapshot?.steps).toEqual(expected.sort((a, b) => (a.name < b.name ? -1 : 1)));
      expect(snapshot?.steps.find((s) => s.name === 'ship')?.output).toBeNull();
    });

    it('getExecution of an unknown id is null', async () => {
      expect(await store().getExecution('nope')).toBeNull();
    });

    it('an id or workflow id with U+0000 names nothing (PostgreSQL text cannot hold one): not an error', async () => {
      await store().createExecution(makeExecution({ id: 'n', workflowId: 'w' }));
      expect(await store().getExecution('n\u0000')).toBeNull();
      expect(
        await store()
          .getExecutions(['n\u0000', 'n'])
          .then((l) => l.map((s) => s.execution.id)),
      ).toEqual(['n']);
      expect(await store().requestCancel('n\u0000')).toBeNull();
      expect(await store().listExecutions({ workflowId: 'w\u0000', limit: 10 })).toEqual([]);
      expect(await store().countExecutions({ workflowId: 'w\u0000' })).toBe(0);
      expect((await store().aggregate('w\u0000')).byStatus.pending).toBe(0);
      expect(await store().listDefinitions('w\u0000')).toEqual([]);
      expect((await store().getExecution('n'))?.execution.cancelRequested).toBe(false);
    });

    it('getExecutions reads several at once: the known ones, oldest first, each with its steps', async () => {
      await store().createExecution(makeExecution({ id: 'm-late', createdAt: 300 }), [
        makeStep('m-late', 'a'),
      ]);
      await store().createExecution(makeExecution({ id: 'm-early', createdAt: 100 }), [
        makeStep('m-early', 'b'),
        makeStep('m-early', 'a'),
      ]);
      await store().createExecution(makeExecution({ id: 'm-mid', createdAt: 200 }));
      await store().createExecution(makeExecution({ id: 'm-other', createdAt: 50 }));
      const many = await store().getExecutions(['m-late', 'nope', 'm-early', 'm-mid', 'm-late']);
      expect(many.map((s) => s.execution.id)).toEqual(['m-early', 'm-mid', 'm-late']);
      // The same snapshots getExecution returns, one by one.
      for (const snapshot of many)
        expect(snapshot).toEqual(await store().getExecution(snapshot.execution.id));
      expect(many[0]!.steps.map((s) => s.name)).toEqual(['a', 'b']);
      expect(many[1]!.steps).toEqual([]);
      expect(await store().getExecutions([])).toEqual([]);
      expect(await store().getExecutions(['nope'])).toEqual([]);
    });

    it('reads return copies that callers cannot alias', async () => {
      await store().createExecution(makeExecution({ id: 'e', compensatedSteps: ['x'] }), [
        makeStep('e', 'a', { history: [{ attempt: 1, startedAt: 1 }] }),
      ]);
      const first = (await store().getExecution('e'))!;
      first.execution.status = 'failed';
      first.execution.compensatedSteps.push('y');
      first.steps[0]!.history.push({ attempt: 2, startedAt: 2 });
      first.steps[0]!.status = 'failed';
      const again = (await store().getExecution('e'))!;
      expect(again.execution.status).toBe('pending');
      expect(again.execution.compensatedSteps).toEqual(['x']);
      expect(again.steps[0]!.history).toHaveLength(1);
      expect(again.steps[0]!.status).toBe('pending');
    });

    it('rejects a second execution with the same id', async () => {
      await store().createExecution(makeExecution({ id: 'dup', input: 1 }));
      await expect(store().createExecution(makeExecution({ id: 'dup', input: 2 }))).rejects.toMatchObject({
        code: 'CONFLICT',
      });
      expect((await store().getExecution('dup'))?.execution.input).toBe(1);
    });
  });

  describe('idempotency keys', () => {
    it('a taken key returns the existing id and writes nothing', async () => {
      await store().createExecution(makeExecution({ id: 'first', idempotencyKey: 'k', input: 'one' }), [
        makeStep('first', 'a'),
      ]);
      const second = makeExecution({ id: 'second', idempotencyKey: 'k', input: 'two' });
      expect(await store().createExecution(second, [makeStep('second', 'b')])).toEqual({
        id: 'first',
        created: false,
      });
      expect(await store().getExecution('second')).toBeNull();
      const first = (await store().getExecution('first'))!;
      expect(first.execution.input).toBe('one');
      expect(first.steps.map((s) => s.name)).toEqual(['a']);
      expect(await store().countExecutions({})).toBe(1);
    });

    it('concurrent creates with one key in the same tick make one execution', async () => {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          store().createExecution(makeExecution({ id: `c${i}`, idempotencyKey: 'same' })),
        ),
      );
      expect(results.filter((r) => r.created)).toEqual([{ id: 'c0', created: true }]);
      expect(new Set(results.map((r) => r.id))).toEqual(new Set(['c0']));
      expect(await store().countExecutions({})).toBe(1);
    });

    it('finds the execution that holds a key, by id and workflow; null for a key never used', async () => {
      const lookup = store().findByIdempotencyKey?.bind(store());
      expect(lookup).toBeTypeOf('function');
      expect(await lookup!('k')).toBeNull();
      await store().createExecution(makeExecution({ id: 'holder', workflowId: 'w1', idempotencyKey: 'k' }));
      await store().createExecution(makeExecution({ id: 'no-key', workflowId: 'w1' }));
      // A duplicate create (here of another workflow) changes nothing: the first holder keeps it.
      await store().createExecution(makeExecution({ id: 'dup', workflowId: 'w2', idempotencyKey: 'k' }));
      expect(await lookup!('k')).toEqual({ id: 'holder', workflowId: 'w1' });
      // Keys compare exactly: case and an execution's id are not a key.
      expect(await lookup!('K')).toBeNull();
      expect(await lookup!('holder')).toBeNull();
      expect(await lookup!('no-key')).toBeNull();
      // Whatever state the holder is in.
      await store().update({ id: 'holder', epoch: 0, set: { status: 'completed', completedAt: 5_000 } });
      expect(await lookup!('k')).toEqual({ id: 'holder', workflowId: 'w1' });
    });

    it('executions without a key never conflict', async () => {
      const a = await store().createExecution(makeExecution({ id: 'n1' }));
      const b = await store().createExecution(makeExecution({ id: 'n2' }));
      expect([a.created, b.created]).toEqual([true, true]);
    });
  });
}

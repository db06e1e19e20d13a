/**
 * A parallel step whose branches have all completed is completed, whatever stops its execution
 * after the last branch's result was taken (a cancel, the workflow timeout): as a sequential step
 * whose result came in before the stop, it is recorded with its output and compensated (its own
 * compensation first) when the execution then compensates.
 */

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOrchestrator, FakeClock, SqliteStore } from '../../src/index.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { Store } from '../../src/store/store.js';
import { ALL_STORE_KINDS, anyStoreUrl } from '../helpers/all-stores.js';
import { holdUpdates } from '../helpers/holding-store.js';
import {
  collectEvents,
  drivingFor,
  finishWithClock,
  silentLogger,
  tempDir,
  until,
  withOrchestrator,
} from '../helpers/orchestrator.js';
import { PG_URL } from '../store/pg-fixture.js';

/** The durable stores, whose writes and restarts these fixes were about. */
const DURABLE_KINDS = ['sqlite', 'postgres'] as const;

/** A fresh durable store of `kind` for an orchestrator to open, and the URL a later one opens it by. */
async function durableStore(kind: (typeof DURABLE_KINDS)[number]): Promise<{ store: Store; url: string }> {
  if (kind === 'sqlite') {
    const file = join(tempDir(), 'o.sqlite');
    return { store: new SqliteStore(file), url: `sqlite:${file}` };
  }
  const url = await anyStoreUrl('postgres');
  const schema = new URL(url).searchParams.get('schema')!;
  return { store: new PostgresStore(PG_URL, { schema }), url };
}

describe.each(ALL_STORE_KINDS)(
  'a stop after every branch of a parallel step completed (%s store)',
  (kind) => {
    it('a cancel: the step is completed and compensated, its own compensation first', async () => {
      const clock = new FakeClock();
      const undone: string[] = [];
      const orch = await withOrchestrator({
        store: await anyStoreUrl(kind),
        clock,
        actions: { a: () => 'A', b: () => 'B', next: () => 'N' },
        compensations: {
          undoP: (output) => {
            undone.push(`p:${JSON.stringify(output)}`);
          },
          undoA: () => {
            undone.push('a');
          },
          undoB: () => {
            undone.push('b');
          },
        },
      });
      const events = collectEvents(orch, ['step.completed', 'step.cancelled']);
      // The cancel comes as the last branch's completion is announced: after its result was taken.
      let cancelling: Promise<boolean> | null = null;
      orch.on('step.completed', (e) => {
        if (e.step === 'b') cancelling = orch.workflowEngine.cancelWorkflow(e.executionId);
      });
      await orch.workflowEngine.defineWorkflow('w', [
        {
          name: 'p',
          compensation: 'undoP',
          parallel: [
            { name: 'a', compensation: 'undoA' },
            { name: 'b', compensation: 'undoB' },
          ],
        },
        { name: 'next' },
      ]);
      const id = await orch.workflowEngine.executeWorkflow('w');
      const status = await finishWithClock(orch, clock, id, drivingFor(kind));
      expect(await cancelling).toBe(true);
      expect(status.status).toBe('cancelled');
      const [p, next] = status.steps;
      expect(p).toMatchObject({ name: 'p', status: 'completed', output: { a: 'A', b: 'B' } });
      expect(p?.branches?.map((s) => s.status)).toEqual(['completed', 'completed']);
      expect(next?.status).not.toBe('completed');
      expect(status.compensatedSteps).toEqual(['p', 'b', 'a']);
      expect(undone).toEqual(['p:{"a":"A","b":"B"}', 'b', 'a']);
      expect(events.of('step.cancelled').map((e) => e.step)).toEqual([]);
      expect(events.of('step.completed').map((e) => e.step)).toEqual(['a', 'b', 'p']);
    });
  },
);

describe.each(DURABLE_KINDS)(
  'a workflow timeout after every branch of a parallel step completed (%s store)',
  (kind) => {
    it('the step is completed and compensated', async () => {
      const clock = new FakeClock();
      const undone: string[] = [];
      // The write of the last branch's completion is held while the workflow's deadline passes.
      const { store, reached, release } = holdUpdates((await durableStore(kind)).store, (u) =>
        (u.steps ?? []).some((s) => s.name === 'b' && s.status === 'completed'),
      );
      const orch = await createOrchestrator({
        store,
        clock,
        actions: {
          a: () => 'A',
          b: () => new Promise((resolve) => clock.setTimer(() => resolve('B'), 999)),
          next: () => 'N',
        },
        compensations: {
          undoP: () => {
            undone.push('p');
          },
          undoA: () => {
            undone.push('a');
          },
        },
      });
      try {
        await orch.workflowEngine.defineWorkflow(
          'w',
          [
            {
              name: 'p',
              compensation: 'undoP',
              parallel: [{ name: 'a', compensation: 'undoA' }, { name: 'b' }],
            },
            { name: 'next' },
          ],
          { timeout: 1 },
        );
        const id = await orch.workflowEngine.executeWorkflow('w');
        await clock.advance(999);
        await reached;
        await clock.advance(1);
        release();
        const status = await finishWithClock(orch, clock, id, drivingFor(kind));
        expect(status.status).toBe('failed');
        expect(status.error?.code).toBe('WORKFLOW_TIMEOUT');
        expect(status.steps[0]).toMatchObject({ name: 'p', status: 'completed', output: { a: 'A', b: 'B' } });
        expect(status.steps[1]?.status).not.toBe('completed');
        expect(undone).toEqual(['p', 'a']);
      } finally {
        await orch.close();
      }
    });
  },
);

describe.each(ALL_STORE_KINDS)(
  'a parallel step as the last step, its branches all completed, then a stop (%s store)',
  (kind) => {
    it('the execution is cancelled, the step completed and compensated', async () => {
      const clock = new FakeClock();
      const undone: string[] = [];
      const orch = await withOrchestrator({
        store: await anyStoreUrl(kind),
        clock,
        actions: { a: () => 'A', b: () => 'B' },
        compensations: {
          undoP: () => {
            undone.push('p');
          },
          undoA: () => {
            undone.push('a');
          },
        },
      });
      let cancelling: Promise<boolean> | null = null;
      orch.on('step.completed', (e) => {
        if (e.step === 'b') cancelling = orch.workflowEngine.cancelWorkflow(e.executionId);
      });
      await orch.workflowEngine.defineWorkflow('w', [
        { name: 'p', compensation: 'undoP', parallel: [{ name: 'a', compensation: 'undoA' }, { name: 'b' }] },
      ]);
      const id = await orch.workflowEngine.executeWorkflow('w');
      const status = await finishWithClock(orch, clock, id, drivingFor(kind));
      expect(await cancelling).toBe(true);
      expect(status.status).toBe('cancelled');
      expect(status.steps[0]).toMatchObject({ name: 'p', status: 'completed', output: { a: 'A', b: 'B' } });
      expect(undone).toEqual(['p', 'a']);
    });
  },
);

describe.each(DURABLE_KINDS)('a parallel step whose branches all completed, resumed (%s store)', (kind) => {
  it('past its workflow timeout: the step is completed, then compensated', async () => {
    const clock = new FakeClock();
    // The write of the step's completion fails: the store keeps it running, every branch completed.
    const { store, url } = await durableStore(kind);
    const update = store.update.bind(store);
    store.update = async (u) => {
      if ((u.steps ?? []).some((s) => s.name === 'p' && s.status === 'completed')) {
        throw new Error('disk full');
      }
      return update(u);
    };
    const undone: string[] = [];
    const compensations = {
      undoP: () => {
        undone.push('p');
      },
      undoA: () => {
        undone.push('a');
      },
    };
    const actions = { a: () => 'A', b: () => 'B', next: () => 'N' };
    const first = await createOrchestrator({ store, clock, actions, compensations, logger: silentLogger });
    await first.workflowEngine.defineWorkflow(
      'w',
      [
        { name: 'p', compensation: 'undoP', parallel: [{ name: 'a', compensation: 'undoA' }, { name: 'b' }] },
        { name: 'next' },
      ],
      { timeout: 10 },
    );
    const id = await first.workflowEngine.executeWorkflow('w');
    await until(async () => {
      const stored = await store.getExecution(id);
      return stored?.steps.filter((s) => s.status === 'completed').length === 2;
    });
    await first.close();
    await clock.advance(20_000);
    const second = await withOrchestrator({ store: url, clock, actions, compensations });
    const status = await finishWithClock(second, clock, id, drivingFor(kind));
    expect(status.status).toBe('failed');
    expect(status.error?.code).toBe('WORKFLOW_TIMEOUT');
    expect(status.steps[0]).toMatchObject({ name: 'p', status: 'completed', output: { a: 'A', b: 'B' } });
    expect(undone).toEqual(['p', 'a']);
  });
});

/**
 * Retention of finished executions: `purgeExecutions` deletes finished executions that completed
 * before a time (never unfinished ones), checks its options, and the metrics totals keep counting
 * what it deleted; with `retention` in the config, housekeeping does the same on its own.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { settle } from '../../src/clock.js';
import { ClosedError, FakeClock, MemoryStore, type Orchestrator, ValidationError } from '../../src/index.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import {
  finishWithClock,
  gate,
  memoryLogger,
  STORE_KINDS,
  storeUrl,
  tempDir,
  withOrchestrator,
} from '../helpers/orchestrator.js';
import { makeExecution } from '../store/records.js';

const STEPS = [{ name: 'a', action: 'noop' }];

async function runOne(orch: Orchestrator, clock: FakeClock, key?: string): Promise<string> {
  const id = await orch.workflowEngine.executeWorkflow('wf', { n: 1 }, key ? { idempotencyKey: key } : {});
  await finishWithClock(orch, clock, id);
  return id;
}

describe.each(STORE_KINDS)('purgeExecutions (%s)', (kind) => {
  it('deletes finished executions completed before the time; metrics totals keep counting them', async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({ store: storeUrl(kind), clock });
    const engine = orch.workflowEngine;
    await engine.defineWorkflow('wf', STEPS);
    const old = await runOne(orch, clock, 'key-old');
    await clock.advance(60_000);
    const cutoff = new Date(clock.now());
    const recent = await runOne(orch, clock);
    // An unfinished one, created before the cutoff, is never deleted.
    const hold = gate();
    engine.registerAction('wait', () => hold.promise);
    await engine.defineWorkflow('slow', [{ name: 'w', action: 'wait' }]);
    const slow = await engine.executeWorkflow('slow');
    const totals = orch.getMetrics();

    expect(await engine.purgeExecutions({ before: cutoff })).toBe(1);
    expect(await engine.getExecutionStatus(old)).toBeNull();
    expect(await engine.getExecutionStatus(recent)).not.toBeNull();
    expect(await engine.purgeExecutions({ before: cutoff })).toBe(0);
    expect(await engine.purgeExecutions({ before: new Date(clock.now() + 1_000), limit: 5 })).toBe(1);
    expect(await engine.getExecutionStatus(recent)).toBeNull();
    expect((await engine.getExecutionStatus(slow))?.status).toBe('running');
    expect(orch.getMetrics()).toEqual(totals);
    expect(orch.getMetrics().executions).toMatchObject({ completed: 2, running: 1 });
    // The idempotency key of a deleted execution starts a new one.
    expect(await engine.executeWorkflow('wf', {}, { idempotencyKey: 'key-old' })).not.toBe(old);
    hold.open();
    await orch.close();
  });
});

describe('purgeExecutions input', () => {
  it.each([
    [undefined, ''],
    [{}, 'before'],
    [{ before: '2026-01-01' }, 'before'],
    [{ before: new Date(Number.NaN) }, 'before'],
    [{ before: new Date(), limit: 0 }, 'limit'],
    [{ before: new Date(), limit: 1.5 }, 'limit'],
    [{ before: new Date(), limit: 2_000_000 }, 'limit'],
    [{ before: new Date(), olderThan: 5 }, 'olderThan'],
  ])('refuses %j naming %s', async (options, path) => {
    const orch = await withOrchestrator({ store: 'memory' });
    const error = await orch.workflowEngine.purgeExecutions(options as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path)).toContain(path);
    await orch.close();
  });

  it('works on with a custom store without purgeFinished, names it, and refuses once closed', async () => {
    const store = new MemoryStore() as Store;
    (store as { purgeFinished?: unknown }).purgeFinished = undefined;
    const clock = new FakeClock();
    const logger = memoryLogger();
    const orch = await withOrchestrator({ store, clock, logger, retention: 60 });
    await orch.workflowEngine.defineWorkflow('wf', STEPS);
    const id = await runOne(orch, clock);
    await clock.advance(3 * 60_000);
    // Housekeeping keeps it, and says once why.
    expect(await orch.workflowEngine.getExecutionStatus(id)).not.toBeNull();
    expect(logger.lines.filter((l) => /cannot purge executions/.test(l.msg ?? ''))).toHaveLength(1);
    await expect(orch.workflowEngine.purgeExecutions({ before: new Date() })).rejects.toMatchObject({
      code: 'UNSUPPORTED',
      message: expect.stringContaining('purgeFinished'),
    });
    await orch.close();
    await expect(orch.workflowEngine.purgeExecutions({ before: new Date() })).rejects.toBeInstanceOf(
      ClosedError,
    );
  });
});

describe('retention (config)', () => {
  it('housekeeping deletes finished executions older than `retention`, and only those', async () => {
    const clock = new FakeClock();
    const store = new SqliteStore(':memory:');
    const orch = await withOrchestrator({ store, clock, sweepInterval: 1, retention: 3600 });
    const engine = orch.workflowEngine;
    await engine.defineWorkflow('wf', STEPS);
    const first = await runOne(orch, clock);
    await clock.advance(1_800_000);
    const second = await runOne(orch, clock);
    const totals = orch.getMetrics();
    // Past an hour after the first completed (and a look being due), it is deleted; the second stays.
    await clock.advance(1_800_000 + 61_000);
    expect(await engine.getExecutionStatus(first)).toBeNull();
    expect(await engine.getExecutionStatus(second)).not.toBeNull();
    expect(orch.getMetrics()).toEqual(totals);
    expect((await store.aggregate()).byStatus.completed).toBe(2);
    await clock.advance(1_800_000 + 61_000);
    expect(await engine.getExecutionStatus(second)).toBeNull();
    expect((await store.aggregate()).byStatus.completed).toBe(2);
    await orch.close();
  });

  it('keeps everything without `retention`', async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({ store: 'memory', clock, sweepInterval: 60, leaseSeconds: 180 });
    await orch.workflowEngine.defineWorkflow('wf', STEPS);
    const id = await runOne(orch, clock);
    await clock.advance(24 * 3600 * 1000);
    expect(await orch.workflowEngine.getExecutionStatus(id)).not.toBeNull();
    await orch.close();
  });
});

describe('retention (config) under a backlog', () => {
  afterEach(() => vi.restoreAllMocks());

  /** A SQLite file holding `n` executions finished long ago, and an orchestrator on it. */
  async function backlog(n: number) {
    const path = `${tempDir()}/store.sqlite`;
    const seed = new SqliteStore(path);
    await seed.init();
    const old = { status: 'completed' as const, createdAt: 1, completedAt: 2, stepsRun: 1 };
    for (let i = 0; i < n; i++) await seed.createExecution(makeExecution({ id: `old-${i}`, ...old }));
    const totals = await seed.aggregate();
    await seed.close();
    const clock = new FakeClock();
    const orch = await withOrchestrator({
      store: `sqlite:${path}`,
      clock,
      sweepInterval: 1,
      retention: 3600,
    });
    return { orch, clock, totals };
  }

  it('keeps up with more than one batch a second: up to 8 batches a round while they come back full', async () => {
    // A round's real-time budget (a quarter of `sweepInterval`) is not what this test is about:
    // real time stands still, so a loaded machine cannot cut a round short.
    vi.spyOn(performance, 'now').mockReturnValue(0);
    const { orch, clock, totals } = await backlog(4_700);
    const rounds: number[] = [];
    // A round a second: 8 batches of 500 at most each, then the rest.
    for (let round = 0; round < 3; round++) {
      rounds.push(4_700 - (await orch.workflowEngine.countExecutions()));
      await clock.advance(1_000);
      // The round's batches end on their own turns of the event loop (how many depends on the
      // store and the round's other work); with the clock standing still no other round starts.
      await settle(50);
    }
    expect(rounds).toEqual([0, 4_000, 4_700]);
    expect(orch.getMetrics().executions.completed).toBe(totals.byStatus.completed);
  });

  it('starts no other batch once a round has taken a quarter of `sweepInterval` in real time, and goes on the next round', async () => {
    const { orch, clock } = await backlog(2_000);
    // Each look at the real clock: 100 ms later. A round reads it once at its start and once
    // before each batch after the first, so it stops after 3 batches (200 ms <= 250 ms < 300 ms).
    let now = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => {
      now += 100;
      return now;
    });
    const rounds: number[] = [];
    for (let round = 0; round < 3; round++) {
      rounds.push(2_000 - (await orch.workflowEngine.countExecutions()));
      await clock.advance(1_000);
    }
    expect(rounds).toEqual([0, 1_500, 2_000]);
  });
});

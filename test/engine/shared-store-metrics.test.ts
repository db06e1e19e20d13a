/**
 * Metrics on a store several processes share (SPEC §5: `executions` counts every execution, the
 * rates are over all of them): each node's `getMetrics` converges to the store's counts — it
 * includes what other nodes ran, counts an execution taken over from another node once — and a
 * node alone on its store counts each of its executions exactly once.
 */
import { describe, expect, it, vi } from 'vitest';
import { type Clock, type Orchestrator, systemClock } from '../../src/index.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { gate, tempSqliteUrl, untilAborted, withOrchestrator } from '../helpers/orchestrator.js';
import { housekeepingRounds } from '../helpers/rounds.js';
import { heldExecution } from '../store/records.js';

async function node(store: string, clock?: Clock): Promise<Orchestrator> {
  return withOrchestrator({
    store,
    clock,
    sweepInterval: 0.05,
    actions: {
      ok: () => 'ok',
      retry: (_input: unknown, ctx: { attempt: number }) => {
        if (ctx.attempt === 1) throw new Error('once');
        return 'ok';
      },
      bad: () => {
        throw new Error('bad');
      },
      wait: (_input: unknown, ctx: { signal: AbortSignal }) => untilAborted(ctx.signal),
    },
    compensations: { undo: () => 'undone' },
  });
}

async function define(orch: Orchestrator): Promise<void> {
  await orch.workflowEngine.defineWorkflow('ok', [
    { name: 'ok', retry: { maxAttempts: 1, initialDelay: 0.01 } },
  ]);
  await orch.workflowEngine.defineWorkflow('retry', [
    { name: 'retry', retry: { maxAttempts: 1, initialDelay: 0.01 } },
  ]);
  await orch.workflowEngine.defineWorkflow('saga', [{ name: 'ok', compensation: 'undo' }, { name: 'bad' }]);
  await orch.workflowEngine.defineWorkflow('wait', [{ name: 'wait' }]);
}

async function run(orch: Orchestrator, workflowId: string): Promise<void> {
  const id = await orch.workflowEngine.executeWorkflow(workflowId, {});
  await orch.workflowEngine.waitForCompletion(id, { timeout: 20 });
}

/** The system clock, but its `now()` moves only when the test says (its timers are real). */
function heldNow(): Clock & { move(ms: number): void } {
  let t = Date.now();
  return {
    now: () => t,
    setTimer: systemClock.setTimer,
    sleep: systemClock.sleep,
    move(ms) {
      t += ms;
    },
  };
}

/** Two nodes on one SQLite file; `a` ran `ok` and `retry`, `b` ran `saga` (2 completed, 1 failed). */
async function twoNodesThreeRuns(): Promise<{ store: string; a: Orchestrator; b: Orchestrator }> {
  const store = tempSqliteUrl();
  const a = await node(store);
  const b = await node(store);
  await define(a);
  await run(a, 'ok');
  await run(a, 'retry');
  await run(b, 'saga');
  return { store, a, b };
}

describe('metrics of a store shared by several nodes', () => {
  it('each node counts the executions the other ran, with the store-wide rates', async () => {
    const { a, b } = await twoNodesThreeRuns();
    const rounds = [a, b].map(housekeepingRounds);
    const expected = {
      executions: {
        total: 3,
        running: 0,
        pending: 0,
        compensating: 0,
        completed: 2,
        failed: 1,
        cancelled: 0,
      },
      successRate: 2 / 3,
      // Steps run: ok, retry, saga's ok and bad = 4; one needed a retry.
      retryRate: 1 / 4,
      compensationRate: 1 / 3,
    };
    for (const orch of [a, b]) {
      await vi.waitFor(() => expect(orch.getMetrics()).toMatchObject(expected), {
        timeout: 10_000,
        interval: 20,
      });
    }
    await vi.waitFor(() => expect(a.getMetrics('saga').executions).toMatchObject({ total: 1, failed: 1 }), {
      timeout: 10_000,
    });
    // Stays exact: later refreshes count nothing twice.
    await Promise.all(rounds.map((r) => r.pass(3)));
    for (const orch of [a, b]) expect(orch.getMetrics()).toMatchObject(expected);
  });

  it('an execution taken over from a node that left is counted once by every node', async () => {
    const store = tempSqliteUrl();
    const a = await node(store);
    const b = await node(store);
    const c = await node(store);
    await define(a);
    await run(a, 'ok');
    const id = await b.workflowEngine.executeWorkflow('wait', {});
    await vi.waitFor(
      async () => expect((await b.workflowEngine.getExecutionStatus(id))?.status).toBe('running'),
      { timeout: 10_000 },
    );
    await b.close(); // releases its lease: a or c takes the execution over
    await vi.waitFor(
      async () => {
        const status = await a.workflowEngine.getExecutionStatus(id);
        expect(status?.status).toBe('running');
        expect((await a.store.getExecution(id))?.execution.owner).not.toBeNull();
      },
      { timeout: 10_000 },
    );
    await Promise.all([a, c].map((orch) => housekeepingRounds(orch).pass(3)));
    for (const orch of [a, c]) {
      expect(orch.getMetrics().executions).toMatchObject({ total: 2, running: 1, completed: 1, pending: 0 });
    }
    await a.workflowEngine.cancelWorkflow(id);
    for (const orch of [a, c]) {
      await vi.waitFor(
        () =>
          expect(orch.getMetrics().executions).toMatchObject({
            total: 2,
            running: 0,
            completed: 1,
            cancelled: 1,
          }),
        { timeout: 10_000, interval: 20 },
      );
    }
  });

  it('a node alone on a durable store counts its own executions at once, and once', async () => {
    const store = tempSqliteUrl();
    const hold = gate();
    const a = await withOrchestrator({
      store,
      sweepInterval: 0.05,
      actions: { ok: () => 'ok', held: () => hold.promise.then(() => 'held') },
    });
    await a.workflowEngine.defineWorkflow('ok', [{ name: 'ok' }]);
    await a.workflowEngine.defineWorkflow('held', [{ name: 'held' }]);
    const rounds = housekeepingRounds(a);
    for (let i = 0; i < 3; i++) {
      await run(a, 'ok');
      expect(a.getMetrics().executions).toMatchObject({ total: i + 1, completed: i + 1 });
    }
    const id = await a.workflowEngine.executeWorkflow('held', {});
    expect(a.getMetrics().executions.total).toBe(4);
    await rounds.pass(3);
    expect(a.getMetrics().executions).toMatchObject({ total: 4, completed: 3, running: 1, pending: 0 });
    hold.open();
    await a.workflowEngine.waitForCompletion(id, { timeout: 20 });
    expect(a.getMetrics().executions).toMatchObject({ total: 4, completed: 4, running: 0 });
    await rounds.pass(3);
    expect(a.getMetrics().executions).toMatchObject({ total: 4, completed: 4, running: 0 });
  });

  it('re-reads the store at most once per sweepInterval, and not at all while no other process writes', async () => {
    const store = tempSqliteUrl();
    // a's time moves only when the test moves it: the interval is counted on it, not on how many
    // rounds a loaded machine fits in a wall-clock span.
    const clock = heldNow();
    const a = await node(store, clock);
    await define(a);
    const rounds = housekeepingRounds(a);
    const reads = vi.spyOn(a.store, 'aggregateByWorkflow');
    // Alone: its own work changes nothing it does not count already, however long it goes on.
    for (let i = 0; i < 20; i++) await run(a, 'ok');
    for (let i = 0; i < 3; i++) {
      clock.move(50);
      await rounds.pass(1);
    }
    expect(reads).not.toHaveBeenCalled();
    // Another node writes: a re-reads once, then not again within a sweep interval, whatever the
    // number of rounds and of executions.
    const b = await node(store);
    await Promise.all(Array.from({ length: 40 }, () => run(b, 'ok')));
    await Promise.all(Array.from({ length: 40 }, () => run(a, 'ok')));
    await rounds.pass(3);
    expect(reads).toHaveBeenCalledTimes(1);
    clock.move(49);
    await rounds.pass(3);
    expect(reads).toHaveBeenCalledTimes(1);
    clock.move(1);
    await rounds.pass(3);
    expect(reads).toHaveBeenCalledTimes(2);
    expect(a.getMetrics().executions).toMatchObject({ total: 100, completed: 100 });
  });

  it('the memory store is never re-read', async () => {
    const a = await withOrchestrator({ store: 'memory', sweepInterval: 0.05, actions: { ok: () => 'ok' } });
    await a.workflowEngine.defineWorkflow('ok', [{ name: 'ok' }]);
    const reads = vi.spyOn(a.store, 'aggregateByWorkflow');
    // Every round ends the queued executions past their deadline (none here): it counts the rounds.
    const rounds = vi.spyOn(a.workflowEngine, 'expireQueued');
    for (let i = 0; i < 3; i++) await run(a, 'ok');
    const from = rounds.mock.calls.length;
    await vi.waitFor(() => expect(rounds.mock.calls.length).toBeGreaterThan(from + 3), {
      timeout: 10_000,
      interval: 10,
    });
    expect(reads).not.toHaveBeenCalled();
    expect(a.getMetrics().executions).toMatchObject({ total: 3, completed: 3 });
  });

  it('a configured node id restarted after a crash counts the executions it held once', async () => {
    const store = tempSqliteUrl();
    const before = await withOrchestrator({ store, nodeId: 'n1', actions: { ok: () => 'ok' } });
    await define(before);
    await run(before, 'ok');
    await before.close();
    // What a crash of n1 leaves: an execution still held by n1, its lease run out.
    const raw = new SqliteStore(store.slice('sqlite:'.length));
    await raw.init();
    await raw.createExecution(heldExecution('held-by-n1', 'wait', 'n1', Date.now() - 1, { stepsRun: 1 }));
    await raw.close();

    const after = await withOrchestrator({
      store,
      nodeId: 'n1',
      sweepInterval: 0.05,
      actions: { wait: (_input: unknown, ctx: { signal: AbortSignal }) => untilAborted(ctx.signal) },
    });
    const expected = { total: 2, running: 1, completed: 1 };
    expect(after.getMetrics().executions).toMatchObject(expected);
    await housekeepingRounds(after).pass(3);
    expect(after.getMetrics().executions).toMatchObject(expected);
    expect(after.getMetrics().retryRate).toBe(0);
  });
});

/**
 * Node `a` (one `ok` step) whose first execution write after `executeWorkflow` (its terminal
 * write) meets a takeover by node `b`; `fail` then says how that write ends.
 */
async function takenOverAtFinish(fail: 'lease' | 'store') {
  const store = tempSqliteUrl();
  const a = await withOrchestrator({ store, nodeId: 'a', sweepInterval: 0.05, actions: { ok: () => 'ok' } });
  await a.workflowEngine.defineWorkflow('ok', [{ name: 'ok' }]);
  const raw = new SqliteStore(store.slice('sqlite:'.length));
  await raw.init();
  const update = a.store.update.bind(a.store);
  let taken = false;
  vi.spyOn(a.store, 'update').mockImplementation(async (u) => {
    if (taken) return update(u);
    taken = true;
    const now = Date.now();
    await raw.claimExecutions({
      owner: 'b',
      leaseUntil: now + 600_000,
      now,
      staleOwners: ['a'],
      ids: [u.id],
      limit: 1,
    });
    // 'lease': the write is fenced off (LeaseLostError); 'store': the store fails it.
    if (fail === 'lease') return update(u);
    throw new Error('disk I/O error');
  });
  const id = await a.workflowEngine.executeWorkflow('ok', {});
  await vi.waitFor(() => expect(taken).toBe(true), { timeout: 10_000 });
  await housekeepingRounds(a).pass(3);
  expect((await raw.getExecution(id))?.execution).toMatchObject({ owner: 'b', status: 'running' });
  await raw.close();
  return a;
}

describe('metrics of an execution another node took over as this node finished it', () => {
  it('counts it once when its terminal write lost the lease', async () => {
    const a = await takenOverAtFinish('lease');
    expect(a.getMetrics().executions).toMatchObject({ total: 1, running: 1, completed: 0 });
  });

  it('counts it once when the terminal write failed and b had it before a could take it up again', async () => {
    const a = await takenOverAtFinish('store');
    expect(a.getMetrics().executions).toMatchObject({ total: 1, running: 1, completed: 0 });
  });
});

describe('metrics of an execution this node gave up after a store failure and took up again', () => {
  it('counts it once, as it ends', async () => {
    const store = tempSqliteUrl();
    const a = await withOrchestrator({ store, sweepInterval: 0.05, actions: { ok: () => 'ok' } });
    await a.workflowEngine.defineWorkflow('ok', [{ name: 'ok' }]);
    const update = a.store.update.bind(a.store);
    let failed = false;
    vi.spyOn(a.store, 'update').mockImplementation(async (u) => {
      if (failed) return update(u);
      failed = true;
      throw new Error('disk I/O error');
    });
    const id = await a.workflowEngine.executeWorkflow('ok', {});
    await a.workflowEngine.waitForCompletion(id, { timeout: 20 });
    expect(failed).toBe(true);
    expect(a.getMetrics().executions).toMatchObject({ total: 1, running: 0, completed: 1 });
    await housekeepingRounds(a).pass(3);
    expect(a.getMetrics().executions).toMatchObject({ total: 1, running: 0, completed: 1 });
  });
});

describe('metrics after a failed re-read of the other processes’ counts', () => {
  it('re-reads them at a later round, though nobody wrote since', async () => {
    const store = tempSqliteUrl();
    const a = await node(store);
    await define(a);
    const read = a.store.aggregateByWorkflow.bind(a.store);
    let failing = true;
    let failures = 0;
    vi.spyOn(a.store, 'aggregateByWorkflow').mockImplementation(async (filter) => {
      if (failing) {
        failures++;
        throw new Error('database is locked');
      }
      return read(filter);
    });
    // Another process (a CLI run, say) runs one execution and leaves; a's reads of its writes fail.
    const b = await node(store);
    await run(b, 'ok');
    await b.close();
    const after = failures;
    await vi.waitFor(() => expect(failures).toBeGreaterThan(after), { timeout: 10_000, interval: 10 });
    failing = false;
    await vi.waitFor(() => expect(a.getMetrics().executions).toMatchObject({ total: 1, completed: 1 }), {
      timeout: 10_000,
      interval: 20,
    });
  });
});

describe('metrics of a shared store after retention', () => {
  it('executions one node ran and another purged are counted once by each, after refreshes', async () => {
    const { store, a, b } = await twoNodesThreeRuns();
    const expected = { total: 3, completed: 2, failed: 1 };
    for (const orch of [a, b]) {
      await vi.waitFor(() => expect(orch.getMetrics().executions).toMatchObject(expected), {
        timeout: 10_000,
        interval: 20,
      });
    }
    const before = [a.getMetrics(), b.getMetrics()];
    // b deletes every execution, a's included; both keep counting them once.
    expect(await b.workflowEngine.purgeExecutions({ before: new Date(Date.now() + 60_000) })).toBe(3);
    expect(await a.workflowEngine.countExecutions()).toBe(0);
    // Several refreshes of the others' counts (sweepInterval 0.05 s).
    await Promise.all([a, b].map((orch) => housekeepingRounds(orch).pass(6)));
    expect(a.getMetrics()).toEqual(before[0]);
    expect(b.getMetrics()).toEqual(before[1]);
    const c = await node(store); // a new node reads every count from the store
    expect(c.getMetrics().executions).toMatchObject(expected);
  });
});

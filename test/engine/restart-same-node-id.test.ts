/**
 * A process restarted under the same configured `nodeId` after a crash, within the lease its
 * earlier run held: the executions that run left owned by that id are resumed here (SPEC §6),
 * not kept alive by this process's lease renewals without ever running.
 */
import { describe, expect, it, vi } from 'vitest';
import { createOrchestrator, OrchestratorError } from '../../src/index.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { OwnedRead, Store } from '../../src/store/store.js';
import { tempSqliteUrl, withOrchestrator } from '../helpers/orchestrator.js';
import { housekeepingRounds } from '../helpers/rounds.js';
import { heldExecution, makeExecution } from '../store/records.js';

/**
 * What a crash of n1 leaves on a fresh SQLite file: workflow `ok` defined, and an execution n1
 * still holds, its lease not run out yet. The store returned is open on that file.
 */
async function crashedN1(): Promise<{ url: string; store: SqliteStore }> {
  const url = tempSqliteUrl();
  const before = await withOrchestrator({ store: url, nodeId: 'n1', actions: { ok: () => 'ok' } });
  await before.workflowEngine.defineWorkflow('ok', [{ name: 'ok' }]);
  await before.close();
  const store = new SqliteStore(url.slice('sqlite:'.length));
  await store.init();
  await store.createExecution(heldExecution('held-by-n1', 'ok', 'n1', Date.now() + 300));
  return { url, store };
}

/** Restarts n1 on `store` and expects the execution it held run to the end, counted once. */
async function expectResumedOnce(store: string | Store): Promise<void> {
  const after = await withOrchestrator({
    store,
    nodeId: 'n1',
    sweepInterval: 0.05,
    leaseSeconds: 0.3,
    actions: { ok: () => 'ok' },
  });
  await vi.waitFor(
    async () => expect((await after.store.getExecution('held-by-n1'))?.execution.status).toBe('completed'),
    { timeout: 3000, interval: 20 },
  );
  expect(after.getMetrics().executions).toMatchObject({ total: 1, running: 0, completed: 1 });
}

describe('a configured node id restarted within its earlier lease', () => {
  it('resumes the executions its earlier run held, counted once', async () => {
    const { url, store } = await crashedN1();
    await store.close();
    await expectResumedOnce(url);
  });

  it('does so on a store without readOwned (a custom store), from two reads', async () => {
    const { store } = await crashedN1();
    await expectResumedOnce(Object.assign(Object.create(store) as SqliteStore, { readOwned: undefined }));
  });

  it('refuses to start on a store whose readOwned answers something else, naming it', async () => {
    const { store } = await crashedN1();
    // Custom stores' mistakes: ids where records belong (as listOwned answers), a plain object
    // where a Map belongs, another owner's records. Started anyway, the first left the execution
    // held by n1 and never run.
    const answers: [(read: OwnedRead) => unknown, RegExp][] = [
      [
        (read) => ({ ...read, unfinished: read.unfinished.map((e) => e.id) }),
        /unfinished\[0\]: expected an execution record/,
      ],
      [
        (read) => ({ ...read, byWorkflow: Object.fromEntries(read.byWorkflow) }),
        /byWorkflow: expected a Map/,
      ],
      [() => undefined, /expected \{ byWorkflow, unfinished \}, got undefined/],
      [
        (read) => ({ ...read, unfinished: read.unfinished.map((e) => ({ ...e, owner: 'n2' })) }),
        /unfinished\[0\] \('held-by-n1'\): expected an execution owned by 'n1', got one owned by "n2"/,
      ],
    ];
    for (const [answer, problem] of answers) {
      const custom: Store = Object.assign(Object.create(store) as SqliteStore, {
        readOwned: async (owner: string) => answer(await store.readOwned(owner)),
        close: vi.fn(async () => undefined),
      });
      const error = await createOrchestrator({
        store: custom,
        nodeId: 'n1',
        actions: { ok: () => 'ok' },
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OrchestratorError);
      expect((error as OrchestratorError).code).toBe('UNSUPPORTED');
      expect((error as Error).message).toMatch(/^The sqlite store's readOwned\('n1'\) /);
      expect((error as Error).message).toMatch(problem);
      expect(custom.close).toHaveBeenCalledOnce();
    }
    expect((await store.getExecution('held-by-n1'))?.execution.owner).toBe('n1');
    await store.close();
  });

  it('counts once what another process writes while it reads the counts at start', async () => {
    const store = tempSqliteUrl();
    const raw = new SqliteStore(store.slice('sqlite:'.length));
    await raw.init();
    const read = SqliteStore.prototype.aggregateByWorkflow;
    let wrote = false;
    // Another process stores an execution right after this node's first read of the counts.
    const spy = vi.spyOn(SqliteStore.prototype, 'aggregateByWorkflow').mockImplementation(async function (
      this: SqliteStore,
      filter,
    ) {
      const result = await read.call(this, filter);
      if (this !== raw && !wrote) {
        wrote = true;
        const now = Date.now();
        await raw.createExecution(
          makeExecution({
            id: 'by-b',
            workflowId: 'ok',
            status: 'completed',
            createdAt: now,
            completedAt: now,
            owner: 'b',
            epoch: 1,
          }),
        );
      }
      return result;
    });
    const n1 = await withOrchestrator({
      store,
      nodeId: 'n1',
      sweepInterval: 0.05,
      actions: { ok: () => 'ok' },
    });
    spy.mockRestore();
    expect(wrote).toBe(true);
    // Rounds that re-read the other processes' counts (a 300 ms sleep may hold none on a loaded machine).
    await housekeepingRounds(n1).pass(3);
    expect(n1.getMetrics().executions).toMatchObject({ total: 1, completed: 1 });
    await raw.close();
  });
});

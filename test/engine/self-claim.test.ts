/**
 * A housekeeping round held up inside itself (a slow store answering its reads, the process
 * starved of CPU) for longer than this node's lease must not claim this node's own running
 * executions as orphans: the claim judged them expired by the clock at claim time while their
 * leases had been renewed for an older one, took them (a new epoch), and their runners' next
 * writes were refused, so the step running then ran again — and, as this node renewed the new
 * lease, nobody ever took the execution up again.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createOrchestrator, FakeClock } from '../../src/index.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { gatedFirstStep } from '../helpers/gated-first-step.js';
import { finishWithClock, gate, tempDir, until } from '../helpers/orchestrator.js';

/** A SQLite store whose next `listOwners` (read by a round just before it claims) waits for `hold`. */
class HeldOwnersRead extends SqliteStore {
  hold: Promise<void> | null = null;
  held = false;
  override async listOwners(): Promise<string[]> {
    const hold = this.hold;
    if (hold) {
      this.hold = null;
      this.held = true;
      await hold;
    }
    return super.listOwners();
  }
}

describe('a round held up past its own lease', () => {
  it('does not claim the executions this node is running', async () => {
    const store = new HeldOwnersRead(`${tempDir()}/orchestrator.sqlite`);
    const { clock, orch, first, runs, id } = await gatedFirstStep(store);
    // The next round stops inside its claim's read of the owners…
    const release = gate();
    store.hold = release.promise;
    while (!store.held) await clock.advance(100);
    // …while more than a lease passes (the step is still running).
    await clock.advance(4_000);
    release.open();
    await until(() => store.hold === null);
    for (let i = 0; i < 10; i++) await clock.advance(10);
    first.open(1);
    const status = await finishWithClock(orch, clock, id, { stepMs: 500 });
    expect(status.status).toBe('completed');
    expect(status.outputData).toEqual({ first: 1, second: 1 });
    expect(runs.first).toBe(1);
    expect(status.steps[0]?.attempts).toBe(1);
  });
});

/**
 * A SQLite store whose renewals leave `skipped`'s lease where `pinnedUntil` says (as PostgreSQL's
 * renewals skip a row another session holds locked) and count it as not renewed.
 */
class SkippedRenewal extends SqliteStore {
  skipped: string | null = null;
  pinnedUntil = 0;
  private readonly raw: Database.Database;
  constructor(file: string) {
    super(file);
    this.raw = new Database(file);
  }
  override async renewLeases(owner: string, leaseUntil: number): Promise<string[]> {
    const renewed = await super.renewLeases(owner, leaseUntil);
    const skipped = this.skipped;
    if (skipped === null) return renewed;
    this.raw.prepare('UPDATE executions SET lease_until = ? WHERE id = ?').run(this.pinnedUntil, skipped);
    return renewed.filter((id) => id !== skipped);
  }
  override async close(): Promise<void> {
    this.raw.close();
    await super.close();
  }
}

describe('an execution this node claimed while its runner here still held it', () => {
  it('is taken up again once that runner lets it go, not left running forever', async () => {
    const clock = new FakeClock();
    const store = new SkippedRenewal(`${tempDir()}/orchestrator.sqlite`);
    let firstRuns = 0;
    const first = gate<number>();
    const orch = await createOrchestrator({
      store,
      clock,
      leaseSeconds: 3,
      sweepInterval: 1,
      actions: {
        first: () => (++firstRuns === 1 ? first.promise : firstRuns),
        second: () => 2,
      },
    });
    try {
      await orch.workflowEngine.defineWorkflow('w', [{ name: 'first' }, { name: 'second' }]);
      const id = await orch.workflowEngine.executeWorkflow('w');
      while (firstRuns === 0) await clock.advance(10);
      const before = await orch.workflowEngine.getExecutionStatus(id);
      expect(before?.status).toBe('running');
      // Its row's renewals are skipped until its stored lease runs out: a round claims it.
      store.pinnedUntil = clock.now() + 3_000;
      store.skipped = id;
      for (let i = 0; i < 50; i++) await clock.advance(100);
      store.skipped = null;
      // The runner that still held the older epoch ends its step: its write is refused.
      first.open(1);
      const status = await finishWithClock(orch, clock, id, { stepMs: 500 });
      expect(status.status).toBe('completed');
      expect(status.outputData).toEqual({ first: 2, second: 2 });
      expect(firstRuns).toBe(2);
    } finally {
      first.open(1);
      await orch.close();
    }
  });
});

describe('a renewal that skipped a row', () => {
  it('is tried again at the next round, not a third of a lease later', async () => {
    const clock = new FakeClock();
    const store = new SkippedRenewal(`${tempDir()}/orchestrator.sqlite`);
    const first = gate<number>();
    let started = false;
    const orch = await createOrchestrator({
      store,
      clock,
      leaseSeconds: 9,
      sweepInterval: 1,
      actions: {
        first: () => {
          started = true;
          return first.promise;
        },
      },
    });
    try {
      await orch.workflowEngine.defineWorkflow('w', [{ name: 'first' }]);
      const id = await orch.workflowEngine.executeWorkflow('w');
      while (!started) await clock.advance(10);
      // Skipped in the renewals of the next 3 s (one renewal: every third of the 9 s lease).
      store.pinnedUntil = clock.now() + 9_000;
      store.skipped = id;
      for (let i = 0; i < 30; i++) await clock.advance(100);
      store.skipped = null;
      // The lock is gone: the round after renews the row.
      for (let i = 0; i < 12; i++) await clock.advance(100);
      const stored = (await store.getExecution(id))?.execution;
      expect(stored?.leaseUntil).toBeGreaterThan(store.pinnedUntil);
    } finally {
      first.open(1);
      await orch.close();
    }
  });
});

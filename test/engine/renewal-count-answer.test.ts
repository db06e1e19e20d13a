/**
 * A custom store written before `renewLeases` named the leases it renewed answers how many it
 * renewed. The node still renews on it: it takes the executions the store lists as its own as
 * renewed (as it did before), so its leases stay valid and its steps run once each.
 */
import { expect, it } from 'vitest';
import { createOrchestrator, FakeClock } from '../../src/index.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { finishWithClock, gate, tempDir } from '../helpers/orchestrator.js';

/** A SQLite store whose renewals answer a count, as custom stores written before did. */
class CountingRenewals extends SqliteStore {
  renewals = 0;
  override async renewLeases(owner: string, leaseUntil: number): Promise<string[]> {
    const renewed = await super.renewLeases(owner, leaseUntil);
    this.renewals++;
    return renewed.length as unknown as string[];
  }
}

it('a store whose renewals answer how many keeps the leases of a long step valid', async () => {
  const clock = new FakeClock();
  const store = new CountingRenewals(`${tempDir()}/orchestrator.sqlite`);
  const first = gate<number>();
  let firstStarted = false;
  const runs = { first: 0, second: 0 };
  const orch = await createOrchestrator({
    store,
    clock,
    leaseSeconds: 3,
    sweepInterval: 1,
    actions: {
      first: () => {
        runs.first++;
        firstStarted = true;
        return first.promise;
      },
      second: () => ++runs.second,
    },
  });
  try {
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'first' }, { name: 'second' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    while (!firstStarted) await clock.advance(10);
    // Three leases pass while step 1 runs: each third of one is renewed.
    for (let i = 0; i < 90; i++) await clock.advance(100);
    expect(store.renewals).toBeGreaterThanOrEqual(8);
    first.open(1);
    const status = await finishWithClock(orch, clock, id, { stepMs: 500 });
    expect(status.status).toBe('completed');
    expect(status.outputData).toEqual({ first: 1, second: 1 });
    expect(runs).toEqual({ first: 1, second: 1 });
    expect(status.steps.map((s) => s.attempts)).toEqual([1, 1]);
  } finally {
    first.open(1);
    await orch.close();
  }
});

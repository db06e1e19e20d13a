/**
 * A custom store written before `renewLeases` named the leases it renewed answers how many it
 * renewed. The node still renews on it: it takes the executions the store lists as its own as
 * renewed (as it did before), so its leases stay valid and its steps run once each.
 */
import { expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { gatedFirstStep } from '../helpers/gated-first-step.js';
import { finishWithClock, tempDir } from '../helpers/orchestrator.js';

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
  const store = new CountingRenewals(`${tempDir()}/orchestrator.sqlite`);
  const { clock, orch, first, runs, id } = await gatedFirstStep(store);
  // Three leases pass while step 1 runs: each third of one is renewed.
  for (let i = 0; i < 90; i++) await clock.advance(100);
  expect(store.renewals).toBeGreaterThanOrEqual(8);
  first.open(1);
  const status = await finishWithClock(orch, clock, id, { stepMs: 500 });
  expect(status.status).toBe('completed');
  expect(status.outputData).toEqual({ first: 1, second: 1 });
  expect(runs).toEqual({ first: 1, second: 1 });
  expect(status.steps.map((s) => s.attempts)).toEqual([1, 1]);
});

/** A SQLite store whose lease renewals fail while `failRenewals` is set (tests of lapsed leases). */
import { expect } from 'vitest';
import type { FakeClock, Orchestrator, OrchestratorOptions } from '../../src/index.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir, withOrchestrator } from './orchestrator.js';

export class FlakyRenewals extends SqliteStore {
  failRenewals = false;
  /** Renewals refused so far. */
  renewalsRefused = 0;
  override renewLeases(owner: string, leaseUntil: number): Promise<string[]> {
    if (this.failRenewals) {
      this.renewalsRefused++;
      return Promise.reject(new Error('connection lost (injected)'));
    }
    return super.renewLeases(owner, leaseUntil);
  }
}

/**
 * An orchestrator on a fresh `FlakyRenewals` file, with housekeeping every 0.5 s and 3 s leases
 * (the renewal is due a third of the lease after the start); `options` add to or override these.
 */
export async function withFlakyRenewals(
  options: OrchestratorOptions,
): Promise<{ orch: Orchestrator; store: FlakyRenewals }> {
  const store = new FlakyRenewals(`${tempDir()}/orchestrator.sqlite`);
  const orch = await withOrchestrator({ sweepInterval: 0.5, leaseSeconds: 3, ...options, store });
  return { orch, store };
}

/** From now on every housekeeping round (0.5 s) of `withFlakyRenewals` tries a renewal, which fails. */
export async function failRenewals(store: FlakyRenewals, clock: FakeClock): Promise<void> {
  store.failRenewals = true;
  for (let i = 0; i < 2; i++) await clock.advance(500);
  expect(store.renewalsRefused).toBeGreaterThan(0);
}

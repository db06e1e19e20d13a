/** A SQLite store whose lease renewals fail while `failRenewals` is set (tests of lapsed leases). */
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

export class FlakyRenewals extends SqliteStore {
  failRenewals = false;
  /** Renewals refused so far. */
  renewalsRefused = 0;
  override renewLeases(owner: string, leaseUntil: number): Promise<number> {
    if (this.failRenewals) {
      this.renewalsRefused++;
      return Promise.reject(new Error('connection lost (injected)'));
    }
    return super.renewLeases(owner, leaseUntil);
  }
}

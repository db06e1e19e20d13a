/**
 * The store contract: one suite every adapter must pass (memory, SQLite, PostgreSQL), in the
 * shape of Hono's router `runTest`. An adapter's test file calls {@link runStoreContract} with a
 * factory that returns a fresh, not yet initialised store and a cleanup that closes it and
 * removes what it created.
 * @module
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { leaseContract } from './contract-leases.js';
import { nodeContract } from './contract-nodes.js';
import { pagingContract } from './contract-paging.js';
import { queryContract } from './contract-queries.js';
import { recordContract } from './contract-records.js';
import { retentionContract } from './contract-retention.js';
import { updateContract } from './contract-updates.js';
import { makeExecution } from './records.js';

/** A fresh store (not initialised) and how to dispose of it. */
export interface StoreFixture {
  store: Store;
  /** Closes the store (it may already be closed) and removes its files or schema. */
  cleanup(): Promise<void>;
}

/** Returns the store of the running test. */
export type CurrentStore = () => Store;

/** What an adapter says it is: its `kind` and whether its state survives the process. */
export interface StoreIdentity {
  kind: 'memory' | 'sqlite' | 'postgres';
  durable: boolean;
}

/** Defines the contract suite for one adapter. */
export function runStoreContract(
  name: string,
  identity: StoreIdentity,
  factory: () => Promise<StoreFixture>,
): void {
  describe(`store contract: ${name}`, () => {
    let fixture: StoreFixture | undefined;
    const current: CurrentStore = () => {
      if (!fixture) throw new Error('no store: beforeEach did not run');
      return fixture.store;
    };

    beforeEach(async () => {
      fixture = await factory();
      await fixture.store.init();
    });

    afterEach(async () => {
      await fixture?.cleanup();
      fixture = undefined;
    });

    it('names its kind and durability', () => {
      expect({ kind: current().kind, durable: current().durable }).toEqual(identity);
    });

    it('close waits for writes still in flight and is idempotent', async () => {
      const store = current();
      const record = makeExecution({ id: 'closing' });
      await store.createExecution(record);
      let settled = false;
      const pending = store.update({ id: 'closing', epoch: 0, set: { cursor: 1 } }).then(() => {
        settled = true;
      });
      await store.close();
      expect(settled).toBe(true);
      await pending;
      await store.close();
    });

    it('close called again while the first runs resolves only when the store is closed', async () => {
      const store = current();
      await store.createExecution(makeExecution({ id: 'closing-twice' }));
      const ended: string[] = [];
      const write = store
        .update({ id: 'closing-twice', epoch: 0, set: { cursor: 1 } })
        .then(() => ended.push('write'));
      const first = store.close().then(() => ended.push('first close'));
      await store.close();
      ended.push('second close');
      expect(ended).toEqual(['write', 'first close', 'second close']);
      await Promise.all([first, write]);
    });

    recordContract(current);
    updateContract(current);
    queryContract(current);
    pagingContract(current);
    leaseContract(current);
    nodeContract(current);
    retentionContract(current);
  });
}

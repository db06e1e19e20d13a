/**
 * PostgreSQL's `readOwned` counts and lists what an owner holds from one snapshot: a claim another
 * node commits between its two statements is seen by neither (the execution is counted and listed
 * as the owner's), never by the list alone (counted as the owner's, not listed: counted twice once
 * the claimer's counts are read).
 */
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { storePerTest } from './pg-fixture.js';
import { heldExecution } from './records.js';

const fixture = storePerTest({}, { poolSize: 1 });

/**
 * Runs `between` once, right after the second statement (the first after BEGIN) on the connection
 * `store` takes next from its pool (`pool.query` takes one with a callback: not this one).
 */
function afterFirstStatement(store: PostgresStore, between: () => Promise<void>): void {
  const pool = (store as unknown as { pool: pg.Pool }).pool;
  const original = pool.connect;
  (pool as { connect: () => Promise<pg.PoolClient> }).connect = async () => {
    pool.connect = original;
    const client = await pool.connect();
    const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
    let statements = 0;
    (client as { query: (...args: unknown[]) => Promise<unknown> }).query = async (...args) => {
      const result = await query(...args);
      if (++statements === 2) {
        (client as { query: unknown }).query = query;
        await between();
      }
      return result;
    };
    return client;
  };
}

describe('PostgreSQL readOwned', () => {
  it('counts and lists from one snapshot while another node claims in between', async () => {
    const store = fixture.store;
    await store.createExecution(heldExecution('x', 'w', 'n1', Date.now() - 1));
    let claimed = false;
    afterFirstStatement(store, async () => {
      const now = Date.now();
      const taken = await fixture.other.claimExecutions({
        owner: 'n2',
        leaseUntil: now + 60_000,
        now,
        staleOwners: ['n1'],
        ids: ['x'],
        limit: 1,
      });
      claimed = taken.length === 1;
    });
    const owned = await store.readOwned('n1');
    expect(claimed).toBe(true);
    expect((await store.getExecution('x'))?.execution.owner).toBe('n2');
    // Read before the claim, both of them.
    expect(owned.byWorkflow.get('w')?.byStatus.running).toBe(1);
    expect(owned.unfinished.map((r) => r.id)).toEqual(['x']);
  });
});

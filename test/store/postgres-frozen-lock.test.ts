/**
 * A node frozen (SIGSTOP, a paused VM) in the middle of a transaction holds the row locks it took,
 * on other nodes' executions too, until PostgreSQL ends its session. The owner's renewals skip a
 * locked row (`SKIP LOCKED`), so the session must end well within a lease, or the healthy owner's
 * lease runs out and another node claims its running execution once the lock goes.
 */
import type pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOrchestrator } from '../../src/index.js';
import { openStore } from '../../src/store/open-store.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { ExecutionRecord } from '../../src/store/store.js';
import { assertServerReachable, dropSchema, freshSchema, PG_URL, storeBegin } from './pg-fixture.js';
import { makeExecution } from './records.js';

beforeEach(assertServerReachable);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const LEASE_MS = 1_500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fresh schema (dropped after the test) and the store URL naming it. */
function schemaUrl(): { name: string; url: string } {
  const name = freshSchema();
  cleanups.push(() => dropSchema(name));
  return { name, url: `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${name}` };
}

async function open(name: string): Promise<PostgresStore> {
  const store = new PostgresStore(PG_URL, { schema: name, poolSize: 2 });
  cleanups.push(() => store.close());
  await store.init();
  return store;
}

function poolOf(store: unknown): pg.Pool {
  return (store as { pool: pg.Pool }).pool;
}

describe('a node frozen inside a transaction, with short leases', () => {
  it("does not cost a healthy owner its lease: the frozen session ends before the owner's renewals run out", async () => {
    const { name, url } = schemaUrl();
    const owner = await open(name);
    const claimer = await open(name);
    // The frozen node's store, opened from its URL as a node with 1.5 s leases opens it.
    const frozen = openStore(url, { leaseSeconds: LEASE_MS / 1000 });
    cleanups.push(() => frozen.close());
    await frozen.init();
    await owner.createExecution(
      makeExecution({
        id: 'busy',
        status: 'running',
        owner: 'x',
        leaseUntil: Date.now() + LEASE_MS,
        epoch: 1,
      }),
    );
    // The frozen node stopped in the middle of a transaction that locked the owner's row (a cancel
    // request, a claim's candidates): its connection sits idle in it from now on.
    const client = await poolOf(frozen).connect();
    const ended = new Promise<void>((resolve) => client.on('error', () => resolve()));
    await client.query(storeBegin(frozen));
    await client.query(`SELECT 1 FROM "${name}".executions WHERE id = 'busy' FOR UPDATE`);
    const started = Date.now();
    let lastRenewal = started;
    let sessionEnded = false;
    void ended.then(() => {
      sessionEnded = true;
    });
    let taken: ExecutionRecord[] = [];
    // The owner renews every third of its lease, the other node claims every 100 ms (first, so
    // that it gets the row the moment the lock goes if the lease ran out by then); until the
    // session ended and two leases passed, at most 12 s. The claims' time stays within a lease of
    // the owner's last renewal: a loop held up by a loaded machine is an owner late to renew, which
    // loses its lease whatever the lock (renewals the lock skipped still leave the row to lapse).
    while (Date.now() - started < 12_000 && !(sessionEnded && Date.now() - started > 2 * LEASE_MS)) {
      await sleep(100);
      const now = Math.min(Date.now(), lastRenewal + LEASE_MS - 1);
      taken = await claimer.claimExecutions({ owner: 'y', leaseUntil: now + LEASE_MS, now, limit: 5 });
      if (taken.length > 0) break;
      const at = Date.now();
      if (at - lastRenewal >= LEASE_MS / 3) {
        await owner.renewLeases('x', at + LEASE_MS);
        lastRenewal = at;
      }
    }
    client.release(true);
    expect(taken.map((r) => r.id)).toEqual([]);
    expect(sessionEnded).toBe(true);
    const row = (await owner.getExecution('busy'))!.execution;
    expect(row).toMatchObject({ owner: 'x', epoch: 1 });
    expect(row.leaseUntil).toBeGreaterThan(Date.now());
  }, 20_000);

  it("a node's store sessions end a transaction left idle for a third of the node's lease", async () => {
    const { url } = schemaUrl();
    const orch = await createOrchestrator({ store: url, leaseSeconds: 1.5, sweepInterval: 0.5 });
    cleanups.push(() => orch.close());
    const client = await poolOf(orch.store).connect();
    try {
      await client.query(storeBegin(orch.store));
      const shown = await client.query('SHOW idle_in_transaction_session_timeout');
      await client.query('ROLLBACK');
      expect(shown.rows[0]).toEqual({ idle_in_transaction_session_timeout: '500ms' });
    } finally {
      client.release();
    }
  });
});

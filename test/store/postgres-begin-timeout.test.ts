/**
 * Every transaction the PostgreSQL store opens carries its idle-in-transaction timeout
 * (`SET LOCAL`, see `begin.ts`), not only the write lanes': the idempotency-key lookup, the purge
 * and `readOwned` open theirs on pool connections of their own. A transaction opened without it
 * could sit idle on the server for ever behind a node that stalled inside it (and, behind a pooler
 * in transaction mode, hold one of its few server connections).
 */
import type pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PostgresStore } from '../../src/index.js';
import { pgFixture } from './pg-fixture.js';
import { makeExecution, makeStep } from './records.js';

const TIMEOUT = 4321;
let fixture: Awaited<ReturnType<typeof pgFixture>>;
let sent: string[];

/** Records the text of every statement the store's pool connections send from now on. */
function recordStatements(store: PostgresStore): void {
  const pool = (store as unknown as { pool: pg.Pool }).pool;
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args) => {
      const first = args[0];
      sent.push(typeof first === 'string' ? first : String((first as { text?: unknown }).text));
      return query(...args);
    };
  });
}

/** The transactions opened by `work`, as the `BEGIN` statements it sent. */
async function beginsOf(work: () => Promise<unknown>): Promise<string[]> {
  const from = sent.length;
  await work();
  return sent.slice(from).filter((text) => /^\s*BEGIN\b/i.test(text));
}

beforeEach(async () => {
  sent = [];
  fixture = await pgFixture({ idleInTransactionTimeoutMs: TIMEOUT });
  // `init` migrates on a connection of its own, then makes the pool, which connects on first use:
  // every connection the pool opens, a lane's or a read's, is recorded.
  await fixture.store.init();
  recordStatements(fixture.store);
});

afterEach(async () => {
  await fixture.cleanup();
});

describe('the PostgreSQL store opens every transaction with its idle-in-transaction timeout', () => {
  it('in the key lookup, the purge and readOwned as in the write lanes', async () => {
    const { store } = fixture;
    const withTimeout = `SET LOCAL idle_in_transaction_session_timeout = ${TIMEOUT}`;
    const held = makeExecution({ idempotencyKey: 'k-1', owner: 'node-a', leaseUntil: Date.now() + 60_000 });
    const done = makeExecution({ status: 'completed', completedAt: 5_000, completionSeq: 1 });
    const writes = await beginsOf(() =>
      Promise.all([store.createExecution(held, [makeStep(held.id, 'a')]), store.createExecution(done)]),
    );
    const lookup = await beginsOf(() => store.findByIdempotencyKey('k-1'));
    const owned = await beginsOf(() => store.readOwned('node-a'));
    const purge = await beginsOf(() => store.purgeFinished({ before: 10_000, limit: 10 }));

    // Each opened its transaction on a connection recorded here, with the timeout in the same message.
    for (const [what, begins] of Object.entries({ writes, lookup, owned, purge })) {
      expect(begins.length, what).toBeGreaterThanOrEqual(1);
      for (const begin of begins) expect(begin, what).toContain(withTimeout);
    }
    expect(owned[0]).toMatch(/^BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;/);
    // The calls did their work: the transactions recorded are theirs.
    expect((await store.readOwned('node-a')).unfinished.map((e) => e.id)).toEqual([held.id]);
    expect(await store.getExecution(done.id)).toBeNull();
  });
});

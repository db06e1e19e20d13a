/**
 * The PostgreSQL store's transactions run READ COMMITTED whatever `default_transaction_isolation`
 * the role or database sets: its fencing (a compare-and-set on the epoch) and claims
 * (`SKIP LOCKED`) are written for it. Under SERIALIZABLE, nodes writing their own executions at
 * once failed each other's transactions (serialization failures on rows they did not share)
 * faster than the store's retries, and writes failed with STORE_UNAVAILABLE.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import {
  assertServerReachable,
  dropSchema,
  freshSchema,
  PG_SERIALIZABLE_URL,
  withClient,
} from './pg-fixture.js';
import { makeExecution } from './records.js';

beforeEach(assertServerReachable);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

describe('PostgreSQL store under default_transaction_isolation serializable', () => {
  it('4 nodes claiming and updating 200 executions at once see no failure; every write runs READ COMMITTED', async () => {
    const schema = freshSchema();
    cleanups.push(() => dropSchema(schema));
    const url = PG_SERIALIZABLE_URL;
    const stores = [1, 2, 3, 4].map(() => new PostgresStore(url, { schema, poolSize: 2 }));
    for (const store of stores) cleanups.push(() => store.close());
    await Promise.all(stores.map((store) => store.init()));
    // Records the isolation level of every transaction that writes an execution.
    await withClient((client) =>
      client.query(`
        CREATE TABLE "${schema}".levels (level text);
        CREATE FUNCTION "${schema}".log_level() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
          INSERT INTO "${schema}".levels VALUES (current_setting('transaction_isolation')); RETURN NULL;
        END $$;
        CREATE TRIGGER log_level AFTER INSERT OR UPDATE ON "${schema}".executions
          FOR EACH STATEMENT EXECUTE FUNCTION "${schema}".log_level();`),
    );
    const total = 200;
    await Promise.all(
      Array.from({ length: total }, (_, i) =>
        stores[i % 4]!.createExecution(makeExecution({ id: `e${i}`, createdAt: i })),
      ),
    );
    const failures: string[] = [];
    const note = (error: Error): [] => {
      failures.push(error.message);
      return [];
    };
    const claimed = await Promise.all(
      stores.map(async (store, k) => {
        const ids: string[] = [];
        for (let round = 0; round < 10; round++) {
          const batch = await store
            .claimExecutions({ owner: `n${k}`, leaseUntil: 1e13, now: 1_000, limit: 10 })
            .catch(note);
          ids.push(...batch.map((e) => e.id));
        }
        return ids;
      }),
    );
    await Promise.all(
      claimed.flatMap((ids, k) =>
        ids.map((id) => stores[k]!.update({ id, epoch: 1, set: { cursor: 3 } }).catch(note)),
      ),
    );
    expect(failures).toEqual([]);
    expect(new Set(claimed.flat()).size).toBe(total);
    const levels = await withClient((client) =>
      client.query(`SELECT DISTINCT level FROM "${schema}".levels`),
    );
    expect(levels.rows).toEqual([{ level: 'read committed' }]);
  });
});

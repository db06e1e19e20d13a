/**
 * A read that waits for a connection of a full pool (every connection busy: here the only read
 * connection of a pool of two waits on another session's lock) fails after the connect timeout
 * with a message that says so and names `poolSize`. Before, it was pg-pool's 'timeout exceeded
 * when trying to connect', which reads as if the server could not be reached.
 */
import { describe, expect, it } from 'vitest';
import { storePerTest, withClient } from './pg-fixture.js';
import { heldExecution } from './records.js';

const pg = storePerTest({ poolSize: 2 });

describe('a PostgreSQL store whose pool stays full', () => {
  it('fails a read waiting for a connection with STORE_UNAVAILABLE naming the pool', async () => {
    const { store } = pg;
    await store.createExecution(heldExecution('e1', 'w', 'n1', Date.now() + 60_000));
    await withClient(async (other) => {
      // Another node's create holding idempotency key K, not committed: the key lookup waits for it.
      await other.query('BEGIN');
      await other.query(
        `INSERT INTO "${store.schema}".executions (id, workflow_id, workflow_version, status, created_at,
           idempotency_key, state) VALUES ('k', 'w', 1, 'pending', 0, 'K', '{}')`,
      );
      const lookup = store.findByIdempotencyKey('K');
      const error = await store.getExecution('e1').catch((e: unknown) => e);
      await other.query('ROLLBACK');
      expect(await lookup).toBeNull();
      expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE' });
      const message = (error as Error).message;
      expect(message).toContain('poolSize 2');
      expect(message).not.toContain('trying to connect');
    });
    // The pool is fine once the connection comes free.
    expect((await store.getExecution('e1'))?.execution.id).toBe('e1');
  }, 20_000);
});

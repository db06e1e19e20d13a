/**
 * A connection cut (pg_terminate_backend) in the middle of the key lookup's transaction, while it
 * waits for another node's uncommitted create with the key: the lookup fails with
 * STORE_UNAVAILABLE, its connection is discarded rather than handed out again in a broken state,
 * and the pool goes on serving — also after more such cuts than it has connections.
 */
import { describe, expect, it } from 'vitest';
import { storePerTest, withClient } from './pg-fixture.js';
import { heldExecution } from './records.js';

const pg = storePerTest({ poolSize: 2 });

describe('a key lookup whose connection is cut mid-transaction', () => {
  it('fails alone; the pool carries on', async () => {
    const { store } = pg;
    await store.createExecution(heldExecution('e1', 'w', 'n1', Date.now() + 60_000));
    for (let round = 0; round < 4; round++) {
      await withClient(async (other) => {
        await other.query('BEGIN');
        await other.query(
          `INSERT INTO "${store.schema}".executions (id, workflow_id, workflow_version, status, created_at,
             idempotency_key, state) VALUES ('k', 'w', 1, 'pending', 0, 'K', '{}')`,
        );
        const lookup = store.findByIdempotencyKey('K').then(
          () => 'answered',
          (e: { code?: string }) => e.code,
        );
        await withClient(async (admin) => {
          for (let i = 0; i < 200; i++) {
            const killed = await admin.query(
              `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
               WHERE application_name = $1 AND wait_event_type = 'Lock'`,
              [`orchestrator:${store.schema}`],
            );
            if (killed.rowCount) break;
            await new Promise((r) => setTimeout(r, 10));
          }
        });
        expect(await lookup).toBe('STORE_UNAVAILABLE');
        await other.query('ROLLBACK');
      });
      expect((await store.getExecution('e1'))?.execution.id).toBe('e1');
    }
    expect(await store.findByIdempotencyKey('K')).toBeNull();
    await store.createExecution(heldExecution('e2', 'w', 'n1', Date.now() + 60_000));
    expect(await store.countExecutions({})).toBe(2);
  });
});

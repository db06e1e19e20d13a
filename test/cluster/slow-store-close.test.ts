/**
 * Closing a node whose database is healthy but slow to take the last writes (here, its node row
 * is locked by another session for longer than the close's 5 s store wait): the close kept waiting
 * only 5 s after the grace, then abandoned the store (its writes failed, its leases and node row
 * were left to expire) although the server answered all along. It now waits while the server
 * answers, and abandons the store only when it does not (see partitioned-close.test.ts).
 */

import pg from 'pg';
import { expect, it } from 'vitest';
import { createOrchestrator, PostgresStore } from '../../src/index.js';
import { memoryLogger } from '../helpers/orchestrator.js';
import { PG_URL, withClient } from '../store/pg-fixture.js';
import { perTest } from './per-test.js';

const t = perTest();

it('a node whose store is slow but answering closes cleanly, without abandoning it', async () => {
  const schema = t.schema();
  const logger = memoryLogger();
  const a = await createOrchestrator({
    store: new PostgresStore(PG_URL, { schema }),
    logger,
    leaseSeconds: 5,
    sweepInterval: 0.2,
  });
  t.later(() => a.close());
  // Another session holds the node's row: the close's removal of it waits for the lock.
  const locker = new pg.Client({ connectionString: PG_URL });
  await locker.connect();
  t.later(() => locker.end());
  await locker.query('BEGIN');
  const locked = await locker.query(`SELECT id FROM "${schema}".nodes WHERE id = $1 FOR UPDATE`, [a.nodeId]);
  expect(locked.rowCount).toBe(1);
  const release = setTimeout(() => void locker.query('COMMIT'), 7_000);
  t.later(() => clearTimeout(release));
  const started = Date.now();
  await a.close();
  expect(Date.now() - started).toBeGreaterThanOrEqual(6_500);
  const messages = logger.lines.map((line) => line.msg);
  expect(messages.some((m) => m?.includes('closed without it'))).toBe(false);
  expect(messages).toContain(
    'the store is slow to take the last writes, but its server answers: the close waits on',
  );
  // The close's last writes reached the store: its node row is gone.
  const rows = await withClient((client) =>
    client.query(`SELECT id FROM "${schema}".nodes WHERE id = $1`, [a.nodeId]),
  );
  expect(rows.rowCount).toBe(0);
}, 60_000);

/** A store whose server answers the close's first question, then no more. */
class AnswersOnce extends PostgresStore {
  asked = 0;
  override serverAnswers(): Promise<boolean> {
    return Promise.resolve(++this.asked === 1);
  }
}

it('a server that stops answering while the close waits on it gets the store abandoned, saying how long it waited', async () => {
  const schema = t.schema();
  const logger = memoryLogger();
  const store = new AnswersOnce(PG_URL, { schema });
  const a = await createOrchestrator({ store, logger, leaseSeconds: 5, sweepInterval: 0.2 });
  t.later(() => a.close());
  // The node's row stays locked for the whole close: its last writes never end.
  const locker = new pg.Client({ connectionString: PG_URL });
  await locker.connect();
  t.later(() => locker.end());
  await locker.query('BEGIN');
  await locker.query(`SELECT id FROM "${schema}".nodes WHERE id = $1 FOR UPDATE`, [a.nodeId]);
  await a.close();
  expect(store.asked).toBe(2);
  const warned = logger.lines.filter(
    (line) => line.level === 'warn' && line.msg?.includes('closed without it'),
  );
  expect(warned.map((line) => line.obj)).toEqual([{ waitedMs: 10_000 }]);
  await locker.query('ROLLBACK');
}, 60_000);

/**
 * Errors of connections the pool opens after the store opened named no store ('PostgreSQL store:
 * database "x" does not exist'), while the first connect's name its URL: with several stores in a
 * process (or a CLI pointed at the wrong server) nothing said which one failed. They now name the
 * store's URL, password masked, as the first connect does; errors of statements do not change.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/index.js';

const ADMIN = 'postgres://postgres@127.0.0.1:5432/test';
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => undefined);
});

async function admin(sql: string): Promise<void> {
  const client = new pg.Client(ADMIN);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('a PostgreSQL store whose new connections fail after it opened', () => {
  it('names its URL (password masked) and the cause when its database was dropped', async () => {
    const db = `orch_later_${process.pid}_${Date.now()}`;
    await admin(`CREATE DATABASE ${db}`);
    cleanups.push(() => admin(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`));
    const store = new PostgresStore(`postgres://postgres:s3cret@127.0.0.1:5432/${db}`);
    await store.init();
    cleanups.push(() => store.close());
    expect(await store.getExecution('ex_missing')).toBeNull();

    // Every connection of the store ends with the database; the next one the pool opens fails.
    await admin(`DROP DATABASE ${db} WITH (FORCE)`);
    const error = (await store.getExecution('ex_missing').catch((e: unknown) => e)) as Error & {
      code?: string;
    };
    expect(error.code).toBe('STORE_UNAVAILABLE');
    expect(error.message).toBe(
      `PostgreSQL store at postgres://***@127.0.0.1:5432/${db}: database "${db}" does not exist (SQLSTATE 3D000)`,
    );
    expect(error.message).not.toContain('s3cret');
  });
});

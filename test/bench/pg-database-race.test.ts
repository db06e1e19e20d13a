import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ensurePgDatabase } from '../../bench/lib/pg.js';

const ADMIN = 'postgres://postgres@127.0.0.1:5432/postgres';
const DB = `bench_race_${process.pid}`;

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: ADMIN });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

describe('ensurePgDatabase', () => {
  afterAll(() => admin((c) => c.query(`DROP DATABASE IF EXISTS "${DB}"`)));

  it('creates a missing database once when several rows ask for it at the same time', async () => {
    await admin((c) => c.query(`DROP DATABASE IF EXISTS "${DB}"`));
    const url = `postgres://postgres@127.0.0.1:5432/${DB}?schema=s`;
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => ensurePgDatabase(url)));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const found = await admin((c) => c.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB]));
    expect(found.rowCount).toBe(1);
  });

  it('still throws an error that is not a lost race', async () => {
    await expect(ensurePgDatabase('postgres://postgres@127.0.0.1:5432/bad%00name')).rejects.toThrow();
  });
});

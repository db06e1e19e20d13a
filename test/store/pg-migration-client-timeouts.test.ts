/**
 * The migration's connection starts without a statement or lock timeout, whatever the URL or the
 * role sets: the statements before its transaction's own SET LOCAL ran under them, and a 10 ms
 * `statement_timeout` failed a node's start on a loaded host.
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clientConfig } from '../../src/store/postgres/connection.js';
import { MigrationClient } from '../../src/store/postgres/migrate.js';
import { assertServerReachable, PG_URL, withClient } from './pg-fixture.js';

beforeEach(assertServerReachable);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** The statement and lock timeouts of a migration client's session on `url`. */
async function timeoutsOn(url: string): Promise<string[]> {
  const client = new MigrationClient(clientConfig(url, 'orchestrator-migrate:timeouts-test'));
  client.on('error', () => undefined);
  await client.connect();
  try {
    const statement = await client.query<{ statement_timeout: string }>('SHOW statement_timeout');
    const lock = await client.query<{ lock_timeout: string }>('SHOW lock_timeout');
    return [statement.rows[0]?.statement_timeout ?? '?', lock.rows[0]?.lock_timeout ?? '?'];
  } finally {
    await client.end();
  }
}

const join = (url: string, query: string) => `${url}${url.includes('?') ? '&' : '?'}${query}`;

describe('the PostgreSQL migration client', () => {
  it("has no statement or lock timeout when the URL's options set them", async () => {
    const options = encodeURIComponent('-c statement_timeout=10 -c lock_timeout=10');
    expect(await timeoutsOn(join(PG_URL, `options=${options}`))).toEqual(['0', '0']);
  });

  it('has none when the URL sets them as parameters', async () => {
    expect(await timeoutsOn(join(PG_URL, 'statement_timeout=10&lock_timeout=10'))).toEqual(['0', '0']);
  });

  it('has none when the role sets them', async () => {
    const role = `orch_timeouts_${process.pid}_${Date.now().toString(36)}`;
    await withClient(async (admin) => {
      await admin.query(`CREATE ROLE ${role} LOGIN`);
      await admin.query(`ALTER ROLE ${role} SET statement_timeout = 10`);
      await admin.query(`ALTER ROLE ${role} SET lock_timeout = 10`);
    });
    cleanups.push(() =>
      withClient((admin) => admin.query(`DROP ROLE IF EXISTS ${role}`)).then(() => undefined),
    );
    const url = new URL(PG_URL);
    url.username = role;
    url.password = '';
    // A plain client of that role has them: the role's settings are in force.
    const plain = new pg.Client({ connectionString: url.toString() });
    await plain.connect();
    try {
      const shown = await plain.query<{ statement_timeout: string }>('SHOW statement_timeout');
      expect(shown.rows[0]?.statement_timeout).toBe('10ms');
    } finally {
      await plain.end();
    }
    expect(await timeoutsOn(url.toString())).toEqual(['0', '0']);
  });
});

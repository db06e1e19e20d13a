/**
 * Store URL parameters accepted as ones the driver reads that `pg` 8 never uses from a
 * `postgres://` URL: `?binary=` (read only from a client's config), `?client_encoding=` (kept by the
 * driver, never sent: the session stays UTF8), and `?db=` and `?encoding=` (read only in a
 * `socket:` URL; a `postgres://` URL names its database in the path). Each changed nothing,
 * unannounced, as a typo would; they are refused as parameters the driver does not read.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { messageOf } from '../helpers/thrown.js';
import { assertServerReachable, PG_URL } from './pg-fixture.js';

/** `PG_URL` with `params` added. */
function urlWith(params: Record<string, string>): string {
  const url = new URL(PG_URL);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.toString();
}

/** The rows and field formats of `sql` asked on a client of `config`. */
async function ask(config: pg.ClientConfig, sql: string, values?: unknown[]) {
  const client = new pg.Client(config);
  client.on('error', () => undefined);
  await client.connect();
  try {
    const result = await client.query(sql, values);
    return { row: result.rows[0] as Record<string, unknown>, formats: result.fields.map((f) => f.format) };
  } finally {
    await client.end();
  }
}

describe('driver parameters pg ignores in a postgres:// URL', () => {
  it('change nothing in the driver', async () => {
    await assertServerReachable();
    const database = (await ask({ connectionString: PG_URL }, 'SELECT current_database() AS d')).row.d;
    const elsewhere = database === 'postgres' ? 'template1' : 'postgres';
    expect(
      (await ask({ connectionString: urlWith({ db: elsewhere }) }, 'SELECT current_database() AS d')).row.d,
    ).toBe(database);
    for (const key of ['client_encoding', 'encoding']) {
      const { row } = await ask({ connectionString: urlWith({ [key]: 'LATIN1' }) }, 'SHOW client_encoding');
      expect(row.client_encoding).toBe('UTF8');
    }
    const asked = 'SELECT $1::int4 AS n';
    expect(
      (await ask({ connectionString: PG_URL, binary: true } as pg.ClientConfig, asked, [7])).formats,
    ).toEqual(['binary']);
    expect((await ask({ connectionString: urlWith({ binary: 'true' }) }, asked, [7])).formats).toEqual([
      'text',
    ]);
  });

  it.each(['binary', 'client_encoding', 'encoding', 'db'])(
    '?%s= is refused as a parameter the driver does not read',
    (key) => {
      const said = `the parameter "${key}" is not one the driver reads (it would be ignored)`;
      expect(messageOf(() => openStore(`postgres://u:pw@h/db?${key}=x`))).toContain(said);
      expect(messageOf(() => new PostgresStore(`postgres://u@h/db?${key}=x`))).toContain(said);
    },
  );

  it('?db= is still read in a socket: URL, where the driver takes the database from it', () => {
    expect(() => new PostgresStore('socket:/var/run/postgresql?db=orders')).not.toThrow();
  });
});

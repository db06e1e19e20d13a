/**
 * The store commands on PostgreSQL: like a missing SQLite file, a schema nobody created (a
 * mistyped `?schema=`) is an error for the read commands, not created empty; `migrate` creates it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertServerReachable, dropSchema, freshSchema, PG_URL, withClient } from '../store/pg-fixture.js';
import { cli, parseJson } from './fixtures/cli-harness.js';

const SCHEMA = freshSchema();
const url = new URL(PG_URL);
url.searchParams.set('schema', SCHEMA);

beforeAll(assertServerReachable);
afterAll(() => dropSchema(SCHEMA));

const schemaExists = () =>
  withClient(async (client) => {
    const { rows } = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [SCHEMA]);
    return rows.length > 0;
  });

describe('store commands on a PostgreSQL schema', () => {
  it('read commands do not create a schema that does not exist; migrate does', async () => {
    const [status, list] = await Promise.all([
      cli(['status', 'exec_nope', '--store', url.href]),
      cli(['--json', 'list', '--store', url.href]),
    ]);
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(/^error: store 'postgres:.*' does not exist yet/);
    expect(list.code).toBe(1);
    expect(parseJson<{ error: { code: string } }>(list.stdout).error.code).toBe('STORE_NOT_FOUND');
    expect(await schemaExists()).toBe(false);

    expect((await cli(['migrate', '--store', url.href])).code).toBe(0);
    const after = await cli(['--json', 'list', '--store', url.href]);
    expect(after.code).toBe(0);
    expect(parseJson<unknown[]>(after.stdout)).toEqual([]);
  });
});

/**
 * PostgreSQL helpers of the engine rows: the database and schema a row runs in.
 * @module
 */
import pg from 'pg';

/** The default store URL of an engine row: database `bench_engine`, a schema of its own. */
export function defaultPgUrl(pid: number = process.pid): string {
  return `postgres://postgres@127.0.0.1:5432/bench_engine?schema=bench_${pid}`;
}

/**
 * The server part of `url` (`postgres://user:password@host:port`, no database or query): the
 * harness's `BENCH_PG_BASE`, from which it reads the server's counters (`pg_stat_database`,
 * `pg_stat_wal`) around a row. Its default names the role `bench`, which only the peers' own
 * setup creates: an engine row run before it would report no counters.
 */
export function serverBase(url: string): string {
  const u = new URL(url);
  const credentials = u.username === '' ? '' : `${u.username}${u.password === '' ? '' : `:${u.password}`}@`;
  return `${u.protocol}//${credentials}${u.host}`;
}

/** `url` split into the driver URL (without `?schema=`) and the schema (null when absent). */
export function splitSchema(url: string): { url: string; schema: string | null } {
  const u = new URL(url);
  const schema = u.searchParams.get('schema');
  u.searchParams.delete('schema');
  return { url: u.toString(), schema };
}

/** Runs `fn` with a plain client on `url` (its `?schema=` ignored), closed afterwards. */
export async function withPg<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: splitSchema(url).url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * SQLSTATEs of a CREATE DATABASE that lost a race with another one of the same name:
 * `duplicate_database`, or `unique_violation` on `pg_database` when both passed the check at once.
 */
const CREATED_BY_ANOTHER = new Set(['42P04', '23505']);

/**
 * Creates the URL's database if it is missing (connecting to the `postgres` database).
 * Rows started at the same time (`--parallel`) may both find it missing: the one that
 * loses the race finds it made by the other, which is all it wanted.
 */
export async function ensurePgDatabase(url: string): Promise<void> {
  const db = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!db || db === 'postgres') return;
  const admin = new URL(url);
  admin.pathname = '/postgres';
  await withPg(admin.toString(), async (c) => {
    const r = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [db]);
    if (r.rowCount !== 0) return;
    try {
      await c.query(`CREATE DATABASE "${db.replace(/"/g, '""')}"`);
    } catch (err) {
      if (!CREATED_BY_ANOTHER.has((err as { code?: string }).code ?? '')) throw err;
    }
  });
}

/** The server's `synchronous_commit` as seen on `url`. */
export async function synchronousCommit(url: string): Promise<string | undefined> {
  return withPg(url, async (c) => {
    const r = await c.query<{ synchronous_commit: string }>('SHOW synchronous_commit');
    return r.rows[0]?.synchronous_commit;
  });
}

/** Drops `schema` (and everything in it) in the URL's database. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  await withPg(url, (c) => c.query(`DROP SCHEMA IF EXISTS "${schema.replace(/"/g, '""')}" CASCADE`));
}

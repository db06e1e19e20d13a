/**
 * What the store needs of its server, checked at start (`server-check.ts`): PostgreSQL 12 or
 * later, and a UTF8 database.
 *
 * A PostgreSQL database whose server encoding is not UTF8 is refused at start. In LATIN1 (or
 * SQL_ASCII, WIN1252, ...) the server refuses a character the encoding lacks on every write: a
 * step output holding an emoji could never be stored, and its execution would run the step again
 * and again without end. The refusal names the database and its encoding, and comes before
 * anything is created in it.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrchestrator, OrchestratorError, PostgresStore } from '../../src/index.js';
import { serverProblem } from '../../src/store/postgres/server-check.js';
import { PG_URL, withClient } from './pg-fixture.js';

const base = `orch_enc_${process.pid}_${Date.now().toString(36)}`;
const databases = { LATIN1: `${base}_latin1`, SQL_ASCII: `${base}_ascii` } as const;
const urlOf = (db: string) => {
  const url = new URL(PG_URL);
  url.pathname = `/${db}`;
  return url.toString();
};

beforeAll(async () => {
  await withClient(async (admin) => {
    for (const [encoding, db] of Object.entries(databases)) {
      await admin.query(
        `CREATE DATABASE ${db} TEMPLATE template0 ENCODING '${encoding}' LC_COLLATE 'C' LC_CTYPE 'C'`,
      );
    }
  });
}, 60_000);

afterAll(async () => {
  await withClient(async (admin) => {
    for (const db of Object.values(databases))
      await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  });
}, 60_000);

/** The schemas of `db` other than PostgreSQL's own. */
async function userSchemas(db: string): Promise<string[]> {
  const client = new pg.Client(urlOf(db));
  await client.connect();
  try {
    const rows = await client.query<{ name: string }>(
      "SELECT nspname AS name FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname NOT IN ('public', 'information_schema')",
    );
    return rows.rows.map((row) => row.name);
  } finally {
    await client.end();
  }
}

describe('a PostgreSQL database that is not UTF8', () => {
  it.each(Object.entries(databases))(
    'is refused at start in %s, naming it, before anything is created',
    async (encoding, db) => {
      const store = new PostgresStore(urlOf(db));
      const error = await store.init().then(
        () => null,
        (e: unknown) => e,
      );
      await store.close();
      expect(error).toBeInstanceOf(OrchestratorError);
      expect((error as OrchestratorError).code).toBe('STORE_UNAVAILABLE');
      expect((error as Error).message).toContain(
        `PostgreSQL database '${db}' uses the server encoding ${encoding}; the store needs UTF8`,
      );
      expect((error as Error).message).toContain("CREATE DATABASE name ENCODING 'UTF8' TEMPLATE template0");
      expect(await userSchemas(db)).toEqual([]);
    },
    30_000,
  );

  it('fails createOrchestrator with that error (a store URL in the config)', async () => {
    await expect(createOrchestrator({ store: urlOf(databases.LATIN1) })).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: expect.stringContaining('uses the server encoding LATIN1'),
    });
  }, 30_000);

  it('a UTF8 database opens, and keeps a step output the LATIN1 one could not hold', async () => {
    const orch = await createOrchestrator({
      store: `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${base}_utf8`,
      actions: { greet: () => ({ text: 'hello 😀' }) },
    });
    try {
      await orch.workflowEngine.defineWorkflow('greet', [{ name: 'greet' }]);
      const id = await orch.workflowEngine.executeWorkflow('greet');
      const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
      expect(status.outputData).toEqual({ greet: { text: 'hello 😀' } });
    } finally {
      await orch.close();
      await withClient((admin) => admin.query(`DROP SCHEMA IF EXISTS ${base}_utf8 CASCADE`));
    }
  }, 30_000);
});

describe('the server version', () => {
  const facts = { db: 'orders', encoding: 'UTF8' };

  it('refuses a server older than PostgreSQL 12 (its writes set plan_cache_mode, new in 12), naming it', () => {
    expect(serverProblem({ ...facts, versionNum: 110022, version: '11.22' })).toBe(
      "PostgreSQL database 'orders' is on a server of version 11.22; the store needs PostgreSQL 12 or later",
    );
    expect(serverProblem({ ...facts, versionNum: 90624, version: '9.6.24' })).toContain('version 9.6.24');
  });

  it('takes PostgreSQL 12 and later, and the test server', async () => {
    expect(serverProblem({ ...facts, versionNum: 120000, version: '12.0' })).toBeNull();
    expect(serverProblem({ ...facts, versionNum: 180001, version: '18.1 (Debian 18.1-1)' })).toBeNull();
    const shown = await withClient((client) =>
      client.query<{ n: string; v: string }>(
        "SELECT current_setting('server_version_num') AS n, current_setting('server_version') AS v",
      ),
    );
    const row = shown.rows[0]!;
    expect(serverProblem({ ...facts, versionNum: Number(row.n), version: row.v })).toBeNull();
  });

  it('names the version before the encoding when both are wrong', () => {
    expect(serverProblem({ db: 'old', encoding: 'LATIN1', versionNum: 100023, version: '10.23' })).toContain(
      'version 10.23',
    );
  });
});

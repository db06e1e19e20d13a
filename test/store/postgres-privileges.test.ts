/**
 * A least-privilege role: it owns a schema a DBA created for it and has no CREATE privilege on the
 * database. The store starts on it (creating its tables there) and works; `CREATE SCHEMA IF NOT
 * EXISTS` would have refused it, since PostgreSQL checks the privilege before the existence.
 */
import { describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { assertServerReachable, dropSchema, freshSchema, PG_URL, withClient } from './pg-fixture.js';
import { makeExecution } from './records.js';

describe('PostgreSQL store on a role without CREATE on the database', () => {
  it('migrates and works in the schema the role owns', async () => {
    await assertServerReachable();
    const schema = freshSchema();
    const role = `r_${schema}`;
    await withClient(async (client) => {
      await client.query(`CREATE ROLE "${role}" LOGIN`);
      await client.query(`CREATE SCHEMA "${schema}" AUTHORIZATION "${role}"`);
    });
    const url = new URL(PG_URL);
    url.username = role;
    try {
      for (const round of ['first start: creates the tables', 'second start: up to date']) {
        const store = new PostgresStore(url.toString(), { schema, poolSize: 2 });
        try {
          await expect(store.init(), round).resolves.toBeUndefined();
          await store.createExecution(makeExecution({ id: round }));
          expect((await store.getExecution(round))?.execution.id).toBe(round);
        } finally {
          await store.close();
        }
      }
    } finally {
      await dropSchema(schema);
      await withClient((client) => client.query(`DROP ROLE IF EXISTS "${role}"`));
    }
  });
});

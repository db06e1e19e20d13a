/**
 * Schema names PostgreSQL keeps for itself are refused when the store is made, as a ValidationError,
 * before any connection: `pg_…` names cannot be created (the start failed later, with the server's
 * "unacceptable schema name"), and `information_schema` was taken as is — the store put its tables
 * in the system's schema, which `pg_dump` leaves out of every backup.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/index.js';
import { openStore } from '../../src/store/open-store.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';

const URL = 'postgres://postgres@127.0.0.1:5432/test';

describe("PostgreSQL's own schema names", () => {
  it.each(['information_schema', 'pg_catalog', 'pg_toast', 'pg_orders'])(
    '%s is refused by PostgresStore, naming the option and why',
    (schema) => {
      let error: unknown;
      try {
        new PostgresStore(URL, { schema });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues).toEqual([
        {
          path: 'schema',
          message: `Expected a schema of the store's own, got ${JSON.stringify(schema)}: PostgreSQL keeps pg_… names and information_schema for itself (pg_dump leaves them out of backups)`,
        },
      ]);
    },
  );

  it('is refused in a store URL, naming `store`', () => {
    expect(() => openStore(`${URL}?schema=information_schema`)).toThrow(
      expect.objectContaining({
        code: 'VALIDATION',
        issues: [
          expect.objectContaining({
            path: 'store',
            message: expect.stringContaining("the parameter 'schema': Expected a schema of the store's own"),
          }),
        ],
      }),
    );
  });

  it('names that only look alike are taken (quoted, they are other names)', () => {
    for (const schema of ['PG_orders', 'Information_Schema', 'pgorders', 'my_pg_schema']) {
      expect(new PostgresStore(URL, { schema }).schema).toBe(schema);
    }
  });
});

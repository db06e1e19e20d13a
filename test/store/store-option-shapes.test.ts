/**
 * PostgresStore's and MemoryStore's constructor arguments are checked by shape: a misspelt
 * option (`{ poolsize: 2 }`, `{ schem: 'tenant_a' }`) was ignored without a word, so the store
 * opened with the default pool on the default schema `orchestrator` (another tenant's data);
 * `null` options and a schema of NaN threw a bare TypeError, and a URL that is no string said
 * 'str.charAt is not a function'. They are now ValidationErrors naming what is wrong. No
 * connection is made: the checks run in the constructor.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';

const URL = 'postgres://postgres@127.0.0.1:5432/test';

describe('PostgresStore arguments', () => {
  it('refuses a misspelt option by name', () => {
    expect(() => new PostgresStore(URL, { poolsize: 2 } as never)).toThrow(ValidationError);
    expect(() => new PostgresStore(URL, { schem: 'tenant_a' } as never)).toThrow(
      /schem: unknown key 'schem'/,
    );
  });

  it.each([[null], [[]], ['tenant_a']])('refuses options that are no object (%s)', (options) => {
    expect(() => new PostgresStore(URL, options as never)).toThrow(/store: expected an object/);
  });

  it.each([Number.NaN, 5, {}])('refuses a schema that is no name (%s)', (schema) => {
    expect(() => new PostgresStore(URL, { schema } as never)).toThrow(ValidationError);
    expect(() => new PostgresStore(URL, { schema } as never)).toThrow(
      /store\.schema: Expected a PostgreSQL schema name/,
    );
  });

  it.each([5, null, {}])('refuses a URL that is no string (%s)', (url) => {
    expect(() => new PostgresStore(url as never)).toThrow(
      /url: Expected a postgres:\/\/ connection string, got/,
    );
  });

  it('still takes the known options', () => {
    expect(new PostgresStore(URL, { schema: 'tenant_a', poolSize: 3, writeLanes: 2 }).schema).toBe(
      'tenant_a',
    );
    expect(new PostgresStore(URL).schema).toBe('orchestrator');
  });
});

describe('MemoryStore arguments', () => {
  it.each([[null], [[]], [5]])('refuses options that are no object (%s)', (options) => {
    expect(() => new MemoryStore(options as never)).toThrow(/options: expected an object/);
  });
});

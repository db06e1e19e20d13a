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
    expect(() => new PostgresStore(URL, options as never)).toThrow(
      /^Invalid PostgresStore options: options: expected an object of PostgresStore options, got /,
    );
  });

  it.each([Number.NaN, 5, {}])('refuses a schema that is no name (%s)', (schema) => {
    expect(() => new PostgresStore(URL, { schema } as never)).toThrow(ValidationError);
    expect(() => new PostgresStore(URL, { schema } as never)).toThrow(
      /^Invalid PostgresStore options: schema: Expected a PostgreSQL schema name/,
    );
  });

  it.each([5, null, {}])('refuses a URL that is no string (%s)', (url) => {
    expect(() => new PostgresStore(url as never)).toThrow(
      /^Invalid PostgresStore arguments: url: Expected a postgres:\/\/ connection string, got /,
    );
  });

  // The driver reads any other string as a path on a host named 'base' (or, for '', connects
  // where PG* variables say): 'not a url' failed only on connecting, with 'getaddrinfo ENOTFOUND base'.
  it.each([
    ['not a url', '"not a url"'],
    ['', '""'],
    ['localhost:5432/orders', '"localhost:5432/orders"'],
    ['mysql://app:secret@127.0.0.1/orders', '"mysql://\\*\\*\\*@127\\.0\\.0\\.1/orders"'],
  ])('refuses a string that is no URL (%s)', (url, shown) => {
    expect(() => new PostgresStore(url)).toThrow(
      new RegExp(
        `^Invalid PostgresStore arguments: url: Expected a postgres:// connection string \\(or a socket directory\\), got ${shown}$`,
      ),
    );
  });

  it('refuses a postgres:// URL that does not parse, naming it masked', () => {
    expect(() => new PostgresStore('postgres://app:secret@127.0.0.1:99999/test')).toThrow(
      /^Invalid PostgresStore arguments: url: Cannot use the PostgreSQL URL postgres:\/\/\*\*\*@127\.0\.0\.1:99999\/test: it does not parse as a URL \(a port from 0 to 65535/,
    );
  });

  it('still takes a socket directory and the socket: form the driver reads', () => {
    expect(new PostgresStore('/var/run/postgresql test').schema).toBe('orchestrator');
    expect(new PostgresStore('socket:/var/run/postgresql?db=test').schema).toBe('orchestrator');
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

/**
 * A store URL whose `?port=` is no port (`abc`, `99999`): the driver fails its connect at once,
 * and then never settles the `end()` the store awaited after the failure, so createOrchestrator
 * (and `PostgresStore.init`) never settled — a script exited with code 13, a server hung at start.
 * The parameter is now refused up front, naming it, and a failed connect no longer waits on
 * `end()`.
 */

import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createOrchestrator, PostgresStore, ValidationError } from '../../src/index.js';
import { connectClient } from '../../src/store/postgres/connection.js';
import { PG_URL } from './pg-fixture.js';

function within<T>(promise: Promise<T>, ms = 5_000): Promise<T | string> {
  return Promise.race([
    promise,
    new Promise<string>((r) => setTimeout(() => r(`no answer after ${ms} ms`), ms).unref()),
  ]);
}

const withPort = (port: string) => `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}port=${port}`;

describe('?port= that is no port', () => {
  it.each(['abc', '99999', '-1', '80.5'])(
    'port=%s is refused by the config and the constructor',
    async (port) => {
      const url = withPort(port);
      const asConfig = await within(
        createOrchestrator({ store: url }).then(
          () => 'opened',
          (e: unknown) => e,
        ),
      );
      expect(asConfig).toBeInstanceOf(ValidationError);
      expect((asConfig as ValidationError).message).toMatch(
        /^Invalid config: store: Cannot use the PostgreSQL URL .*: the parameter 'port' must be a port number \(0 to 65535\), got /,
      );
      expect(() => new PostgresStore(url)).toThrow(/the parameter 'port' must be a port number/);
    },
  );

  it('a connect that fails at once settles (the driver never ends such a client)', async () => {
    const client = new pg.Client({ connectionString: withPort('abc') });
    const outcome = await within(
      connectClient(client, withPort('abc')).then(
        () => 'connected',
        (e: Error) => e.message,
      ),
    );
    expect(outcome).toMatch(/^Cannot open PostgreSQL store at .*: Port should be >= 0 and < 65536/);
  });
});

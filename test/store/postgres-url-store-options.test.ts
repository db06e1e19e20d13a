/**
 * A store URL (the config's `store`, ORCHESTRATOR_STORE, a CLI `--store`) takes the options of
 * `PostgresStore` a deployment tunes: `?poolSize=`, `?writeLanes=`, `?queryTimeoutMs=` and
 * `?idleInTransactionTimeoutMs=`, as `?schema=` and `?migrationLockTimeoutMs=`. They were refused
 * as parameters the driver does not read, so a store opened from a config always had a pool of 10,
 * one write lane and a 30 s query deadline. A value that is no whole number, or out of the
 * option's range, is refused with a `ValidationError` naming the parameter and the value; a
 * `PostgresStore` built directly takes them as options only.
 */
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/index.js';
import { openStore } from '../../src/store/open-store.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { messageOf } from '../helpers/thrown.js';
import { assertServerReachable, dropSchema, freshSchema, storeBegin } from './pg-fixture.js';
import { silentProxy } from './silent-proxy.js';

/** The pool settings a store opened with: what `pg` is given. */
function poolOptions(store: PostgresStore): pg.PoolConfig {
  return (store as unknown as { pool: pg.Pool }).pool.options;
}

/** The error `fn` throws; fails the test when it does not throw. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('PostgresStore options in a store URL', () => {
  const POSITIVE = 'Expected a positive integer, at most 2147483647';
  const MILLISECONDS = 'Expected a non-negative integer of milliseconds, at most 2147483647 (0: off)';
  it.each([
    ['poolSize', 'abc', `${POSITIVE}, got "abc"`],
    ['poolSize', '0', `${POSITIVE}, got 0`],
    ['poolSize', '1.5', `${POSITIVE}, got "1.5"`],
    ['poolSize', '', `${POSITIVE}, got ""`],
    ['poolSize', '2147483648', `${POSITIVE}, got 2147483648`],
    ['poolSize', '1234567890123456789', `${POSITIVE}, got "1234567890123456789"`],
    [
      'writeLanes',
      '-1',
      'Expected an integer from 1 to 9 (the pool size minus one, so reads keep a connection), got "-1"',
    ],
    [
      'writeLanes',
      '0',
      'Expected an integer from 1 to 9 (the pool size minus one, so reads keep a connection), got 0',
    ],
    ['queryTimeoutMs', '1e3', `${MILLISECONDS}, got "1e3"`],
    ['queryTimeoutMs', '2147483648', `${MILLISECONDS}, got 2147483648`],
    ['queryTimeoutMs', ' 5', `${MILLISECONDS}, got " 5"`],
    ['idleInTransactionTimeoutMs', 'ten', `${MILLISECONDS}, got "ten"`],
  ])(
    '?%s=%j is refused with a ValidationError naming `store`, the parameter and its value',
    (key, value, expected) => {
      const error = thrown(() => openStore(`postgres://u:pw@h/db?${key}=${encodeURIComponent(value)}`));
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]?.path).toBe('store');
      // The option's own check and message, said as the parameter that gave it.
      expect(error.message).toBe(`Invalid config: store: the parameter '${key}': ${expected}`);
    },
  );

  it('refuses more write lanes than the pool size allows, naming the parameter', () => {
    expect(messageOf(() => openStore('postgres://u@h/db?poolSize=3&writeLanes=3'))).toBe(
      "Invalid config: store: the parameter 'writeLanes': Expected an integer from 1 to 2 (the pool size minus one, so reads keep a connection), got 3",
    );
  });

  it('lists every bad parameter in one error', () => {
    const message = messageOf(() => openStore('postgres://u@h/db?poolSize=x&queryTimeoutMs=y'));
    expect(message).toContain(`the parameter 'poolSize': ${POSITIVE}, got "x"`);
    expect(message).toContain(`the parameter 'queryTimeoutMs': ${MILLISECONDS}, got "y"`);
  });

  it('refuses one given twice', () => {
    expect(messageOf(() => openStore('postgres://u@h/db?poolSize=2&poolSize=3'))).toMatch(
      /the parameter 'poolSize' is given more than once/,
    );
  });

  it.each(['poolSize', 'writeLanes', 'queryTimeoutMs', 'idleInTransactionTimeoutMs'])(
    'refuses ?%s= in a URL given to PostgresStore itself, which takes it as an option',
    (key) => {
      expect(messageOf(() => new PostgresStore(`postgres://u@h/db?${key}=1`))).toMatch(
        new RegExp(
          `^Invalid PostgresStore arguments: url: .*the parameter '${key}' is not read here: pass it as the option \\{ ${key} \\}`,
        ),
      );
    },
  );

  it('still refuses a setting of the orchestrator, or a misspelt option, rather than pass it to the driver', () => {
    for (const key of ['leaseSeconds', 'poolsize', 'query_timeout_ms']) {
      expect(messageOf(() => openStore(`postgres://u@h/db?${key}=5`))).toContain(
        `the parameter "${key}" is not one the driver reads (it would be ignored)`,
      );
    }
  });

  it('opens the store with them, and keeps them out of the URL the driver gets', async () => {
    await assertServerReachable();
    const proxy = await silentProxy();
    const schema = freshSchema();
    const url = new URL(proxy.url);
    const params = {
      schema,
      poolSize: '3',
      writeLanes: '2',
      queryTimeoutMs: '700',
      idleInTransactionTimeoutMs: '1234',
    };
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    // A 2 s lease would make the idle timeout 666 ms: the one given wins.
    const store = openStore(url.toString(), { leaseSeconds: 2 }) as PostgresStore;
    try {
      expect(store.writeLanes).toBe(2);
      await store.init();
      const options = poolOptions(store);
      expect(options.max).toBe(3);
      expect(storeBegin(store)).toContain('SET LOCAL idle_in_transaction_session_timeout = 1234');
      expect(new URL(options.connectionString ?? '').search).toBe('');
      // The query deadline acts: a silent server fails a read within it, not after 30 s.
      proxy.silence();
      const started = Date.now();
      await expect(store.getExecution('x')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await store.close();
      await proxy.close();
      await dropSchema(schema);
    }
  }, 30_000);
});

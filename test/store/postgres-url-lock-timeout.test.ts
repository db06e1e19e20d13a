/**
 * `?migrationLockTimeoutMs=` in a store URL (the config's `store`, ORCHESTRATOR_STORE, a CLI
 * `--store`) bounds the wait for the schema's migration lock, as the `PostgresStore` option of
 * that name does; it was refused as a parameter the driver does not read, so a store opened from a
 * URL always waited 60 s. A value that is no whole number of milliseconds in range is refused
 * naming the parameter; a `PostgresStore` built directly takes it as the option only.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MigrationLockHeldError, ValidationError } from '../../src/index.js';
import { openStore } from '../../src/store/open-store.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { Store } from '../../src/store/store.js';
import { messageOf } from '../helpers/thrown.js';
import { holdMigrationLock, type MigrationLockHolder } from './hold-migration-lock.js';
import { assertServerReachable, dropSchema, freshSchema, PG_URL } from './pg-fixture.js';

/** `PG_URL` with `params` added. */
function urlWith(params: Record<string, string>): string {
  const url = new URL(PG_URL);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.toString();
}

describe('?migrationLockTimeoutMs= in a store URL', () => {
  it.each([
    ['abc', '"abc"'],
    ['-1', '"-1"'],
    ['1.5', '"1.5"'],
    ['1e3', '"1e3"'],
    ['', '""'],
    ['2147483648', '2147483648'],
  ])('%j is refused with a ValidationError naming `store` and the parameter', (value, shown) => {
    const target = `postgres://u:pw@h/db?migrationLockTimeoutMs=${encodeURIComponent(value)}`;
    let error: unknown;
    try {
      openStore(target);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]?.path).toBe('store');
    expect((error as Error).message).toBe(
      `Invalid config: store: the parameter 'migrationLockTimeoutMs': Expected a non-negative integer of milliseconds, at most 2147483647 (0: off), got ${shown}`,
    );
  });

  it('is refused when given twice', () => {
    expect(
      messageOf(() => openStore('postgres://u@h/db?migrationLockTimeoutMs=1&migrationLockTimeoutMs=2')),
    ).toMatch(/the parameter 'migrationLockTimeoutMs' is given more than once/);
  });

  it('is refused in a URL given to PostgresStore itself, which takes it as an option', () => {
    expect(messageOf(() => new PostgresStore('postgres://u@h/db?migrationLockTimeoutMs=500'))).toMatch(
      /^Invalid PostgresStore arguments: url: .*the parameter 'migrationLockTimeoutMs' is not read here: pass it as the option \{ migrationLockTimeoutMs \}/,
    );
  });

  it('takes 0 and the largest value, with ?schema= and driver parameters', () => {
    for (const value of ['0', '2147483647', '250']) {
      const url = `postgres://u@h/db?schema=s&migrationLockTimeoutMs=${value}&application_name=app`;
      const store = openStore(url) as PostgresStore;
      expect(store).toBeInstanceOf(PostgresStore);
      expect(store.schema).toBe('s');
    }
  });
});

describe('?migrationLockTimeoutMs= against a held migration lock', () => {
  let schema: string;
  let holder: MigrationLockHolder | undefined;
  let store: Store | undefined;

  beforeEach(async () => {
    await assertServerReachable();
    schema = freshSchema();
  });

  afterEach(async () => {
    await store?.close();
    await holder?.client.end().catch(() => undefined);
    store = undefined;
    holder = undefined;
    await dropSchema(schema);
  });

  it('bounds the wait of a store opened from the URL', async () => {
    holder = await holdMigrationLock(schema);
    store = openStore(urlWith({ schema, migrationLockTimeoutMs: '200' }));
    const error = await store.init().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MigrationLockHeldError);
    expect((error as MigrationLockHeldError).schema).toBe(schema);
    expect((error as MigrationLockHeldError).waitedMs).toBe(200);
  });
});

/**
 * PostgreSQL for the store tests: the server named by `ORCHESTRATOR_TEST_PG` (default: the local
 * trust-auth server), a fresh schema per store, dropped afterwards. An unreachable server FAILS
 * the tests with a clear message: they are never skipped silently.
 * @module
 */
import pg from 'pg';
import { afterEach, beforeEach } from 'vitest';
import { PostgresStore, type PostgresStoreOptions } from '../../src/store/postgres/postgres-store.js';
import type { StoreFixture } from './contract.js';

/** The test server. Only loopback servers are used by default. */
export const PG_URL = process.env.ORCHESTRATOR_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * The test server's URL with the session setting a DBA may give a role or database:
 * `default_transaction_isolation = serializable` for every connection the store opens.
 */
export const PG_SERIALIZABLE_URL = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(
  '-c default_transaction_isolation=serializable',
)}`;

let counter = 0;

/** A schema name no other test (or test process) uses. */
export function freshSchema(): string {
  counter++;
  return `t_${process.pid}_${Date.now().toString(36)}_${counter}`;
}

/** Runs `body` with a plain client on the test server (closed afterwards). */
export async function withClient<T>(body: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

let reachable: Promise<void> | undefined;

/**
 * Throws a clear error unless the test server answers (checked once per test file). Called from
 * `beforeEach` so that each test FAILS (and counts as failed) rather than being skipped.
 */
export function assertServerReachable(): Promise<void> {
  reachable ??= checkServer();
  return reachable;
}

async function checkServer(): Promise<void> {
  try {
    await withClient((client) => client.query('SELECT 1'));
  } catch (error) {
    throw new Error(
      `PostgreSQL test server unreachable at ${PG_URL.replace(/:[^:@/]*@/, ':***@')} ` +
        `(${(error as Error).message}). Start it or point ORCHESTRATOR_TEST_PG at one; ` +
        'these tests never skip.',
    );
  }
}

/** Drops `schema` and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  await withClient((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
}

/** A PostgresStore on a fresh schema (not initialised); cleanup closes it and drops the schema. */
export async function pgFixture(
  options: PostgresStoreOptions = {},
): Promise<StoreFixture & { store: PostgresStore; schema: string }> {
  await assertServerReachable();
  const schema = options.schema ?? freshSchema();
  const store = new PostgresStore(PG_URL, { poolSize: 4, ...options, schema });
  return {
    store,
    schema,
    async cleanup() {
      await store.close();
      await dropSchema(schema);
    },
  };
}

/** The stores {@link storePerTest} opens, read inside a test. */
export interface StoresPerTest {
  /** The store on the test's fresh schema (initialised). */
  readonly store: PostgresStore;
  /** Its schema. */
  readonly schema: string;
  /** The second store on that schema (another node, say), when `other` options were given. */
  readonly other: PostgresStore;
}

/**
 * Opens an initialised store on a fresh schema before each test of the calling suite and removes
 * it after; read `.store` and `.schema` inside the tests. With `other`, also a second store on
 * that schema with those options (initialised after the first, closed before it): `.other`.
 */
export function storePerTest(
  options: PostgresStoreOptions = {},
  other?: PostgresStoreOptions,
): StoresPerTest {
  let current: Awaited<ReturnType<typeof pgFixture>> | undefined;
  let second: PostgresStore | undefined;
  beforeEach(async () => {
    current = await pgFixture(options);
    await current.store.init();
    if (other === undefined) return;
    second = new PostgresStore(PG_URL, { ...other, schema: current.schema });
    await second.init();
  });
  afterEach(async () => {
    await second?.close();
    await current?.cleanup();
    second = undefined;
    current = undefined;
  });
  const during = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`storePerTest: ${what} exists only while a test runs`);
    return value;
  };
  return {
    get store(): PostgresStore {
      return during(current, 'the store').store;
    },
    get schema(): string {
      return during(current, 'the schema').schema;
    },
    get other(): PostgresStore {
      if (other === undefined) throw new Error('storePerTest: no `other` store was asked for');
      return during(second, 'the other store');
    },
  };
}

/**
 * The statement `store`'s write lanes open a transaction with (its isolation, its idle timeout):
 * what a test that plays a node stalled inside the store's transaction must send.
 */
export function storeBegin(store: unknown): string {
  return (store as { context: { plans: { begin(rowWritesOnly: boolean): string } } }).context.plans.begin(
    false,
  );
}

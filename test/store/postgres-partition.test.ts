/**
 * A PostgreSQL server that goes silent (a network partition: no reset, no reply) fails the
 * store's queries after `queryTimeoutMs` instead of leaving them pending for hours, and the
 * store still closes. Through a TCP proxy to the test server that stops forwarding on demand.
 */
import { describe, expect, it } from 'vitest';
import { PostgresStore, type PostgresStoreOptions } from '../../src/store/postgres/postgres-store.js';
import { assertServerReachable, dropSchema, freshSchema } from './pg-fixture.js';
import { makeExecution } from './records.js';
import { type SilentProxy, silentProxy } from './silent-proxy.js';

/** What `promise` did within `ms`: resolved, rejected (with the error's code), or nothing. */
function within(promise: Promise<unknown>, ms: number): Promise<string> {
  return Promise.race([
    promise.then(
      () => 'resolved',
      (error: { code?: string }) => `rejected ${error.code}`,
    ),
    new Promise<string>((resolve) => setTimeout(() => resolve('pending'), ms)),
  ]);
}

/** This process's open TCP sockets. */
function tcpSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
}

/** Polls `cond` every 20 ms for up to `ms`; whether it came to hold. */
async function holds(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

/**
 * Runs `body` on a store of a fresh schema that reaches the test server through a silent proxy,
 * with `baseline`, this process's open TCP sockets before the proxy started. Then checks that the
 * store closes (a close `body` began or ended is the same promise), closes the proxy and drops
 * the schema.
 */
async function throughSilentProxy(
  options: PostgresStoreOptions,
  body: (store: PostgresStore, proxy: SilentProxy, baseline: number) => Promise<void>,
): Promise<void> {
  await assertServerReachable();
  const baseline = tcpSockets();
  const proxy = await silentProxy();
  const schema = freshSchema();
  const store = new PostgresStore(proxy.url, { schema, ...options });
  try {
    await body(store, proxy, baseline);
  } finally {
    expect(await within(store.close(), 5_000)).not.toBe('pending');
    await proxy.close();
    await dropSchema(schema);
  }
}

describe('PostgreSQL server gone silent', () => {
  it('fails a write after queryTimeoutMs (STORE_UNAVAILABLE) and still closes', async () => {
    await throughSilentProxy({ poolSize: 2, queryTimeoutMs: 1_000 }, async (store, proxy) => {
      await store.init();
      await store.createExecution(makeExecution({ id: 'x' }));
      proxy.silence();
      expect(await within(store.update({ id: 'x', epoch: 0, set: { cursor: 1 } }), 10_000)).toBe(
        'rejected STORE_UNAVAILABLE',
      );
      // A read: its query times out, or the new connection it needs does (as long).
      expect(await within(store.getExecution('x'), 5_000)).toBe('rejected STORE_UNAVAILABLE');
    });
  }, 40_000);

  it('fails a read that needs a new connection after queryTimeoutMs, not the 10 s connect timeout', async () => {
    await throughSilentProxy({ poolSize: 2, queryTimeoutMs: 1_000 }, async (store, proxy) => {
      // Migrated on a connection of its own: the pool has none open yet.
      await store.init();
      proxy.silence();
      const started = Date.now();
      const read = store.getExecution('x');
      expect(await within(read, 15_000)).toBe('rejected STORE_UNAVAILABLE');
      // Generous for a loaded machine; the connect timeout alone is 10 s.
      expect(Date.now() - started).toBeLessThan(6_000);
      await expect(read).rejects.toThrow('a new connection got no answer from the server within 1000 ms');
    });
  }, 30_000);

  it('closes while its notification listener is cut off (the server never answers its goodbye)', async () => {
    await throughSilentProxy({ poolSize: 2, queryTimeoutMs: 1_000 }, async (store, proxy) => {
      await store.init();
      await store.subscribe('work', () => undefined);
      await store.createExecution(makeExecution({ id: 'x' }));
      proxy.silence();
      expect(await within(store.close(), 5_000)).toBe('resolved');
    });
  }, 20_000);

  it('a LISTEN the server never answers fails after queryTimeoutMs: subscribe and close end', async () => {
    await throughSilentProxy({ poolSize: 2, queryTimeoutMs: 1_000 }, async (store, proxy) => {
      await store.init();
      // The partition begins as the listener, connected, sends its LISTEN.
      proxy.silenceOn('LISTEN');
      expect(
        await within(
          store.subscribe('work', () => undefined),
          5_000,
        ),
      ).toBe('resolved');
      expect(await within(store.close(), 5_000)).toBe('resolved');
    });
  }, 20_000);

  it('leaves no connection of its pool open once closed', async () => {
    await throughSilentProxy({ poolSize: 3, queryTimeoutMs: 1_000 }, async (store, proxy, baseline) => {
      await store.init();
      await store.createExecution(makeExecution({ id: 'x' }));
      await Promise.all([store.getExecution('x'), store.getExecution('x')]);
      proxy.silence();
      expect(await within(store.close(), 5_000)).toBe('resolved');
      // Only the proxy's sockets are left: none of the store's keeps the process from exiting.
      expect(await holds(() => tcpSockets() === baseline + proxy.sockets, 5_000)).toBe(true);
    });
  }, 20_000);
});

describe('PostgreSQL server gone silent during the startup migration', () => {
  it('fails init after queryTimeoutMs (STORE_UNAVAILABLE) instead of waiting for ever', async () => {
    await throughSilentProxy({ queryTimeoutMs: 1_000 }, async (store, proxy) => {
      // The partition begins as the migration's connection, open, sends its first statement.
      proxy.silenceOn('BEGIN');
      const started = Date.now();
      expect(await within(store.init(), 15_000)).toBe('rejected STORE_UNAVAILABLE');
      // Generous for a loaded machine: its statement and its rollback get 1 s each, its goodbye 2 s.
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(await within(store.close(), 5_000)).toBe('resolved');
    });
  }, 30_000);
});

describe('PostgreSQL store abandoned (a close that gave up on a silent server)', () => {
  it('fails the writes and reads under way at once, ends a close under way and leaves no connection open', async () => {
    // The default timeouts: 30 s for a query, 10 s for a connect.
    await throughSilentProxy({ poolSize: 3 }, async (store, proxy, baseline) => {
      await store.init();
      await store.subscribe('work', () => undefined);
      await store.createExecution(makeExecution({ id: 'x' }));
      proxy.silence();
      const write = store.update({ id: 'x', epoch: 0, set: { cursor: 1 } });
      const read = store.getExecution('x');
      const closing = store.close();
      expect(await within(closing, 500)).toBe('pending');
      expect(await within(store.abandon(), 3_000)).toBe('resolved');
      expect(await within(write, 1_000)).toBe('rejected STORE_UNAVAILABLE');
      expect(await within(read, 1_000)).toBe('rejected STORE_UNAVAILABLE');
      expect(await within(closing, 1_000)).toBe('resolved');
      expect(await holds(() => tcpSockets() === baseline + proxy.sockets, 3_000)).toBe(true);
    });
  }, 20_000);
});

/**
 * The CLI's check that a PostgreSQL store exists, run before a read command opens it, asked its
 * query with the default query timeout (30 s) whatever the store URL's `?queryTimeoutMs=` said:
 * against a server gone silent, `orchestrator status --store 'postgres://…?queryTimeoutMs=500'`
 * waited 30 s before the store's own opening (which honours it) failed. The check now takes the
 * URL's query timeout too.
 */
import { expect, it } from 'vitest';
import { StoreClient } from '../../src/cli/store-client.js';
import { assertServerReachable, freshSchema } from './pg-fixture.js';
import { silentProxy } from './silent-proxy.js';

it("the schema check honours the URL's ?queryTimeoutMs=", async () => {
  await assertServerReachable();
  const proxy = await silentProxy();
  try {
    proxy.silenceOn('schema_migrations');
    const url = new URL(proxy.url);
    url.searchParams.set('schema', freshSchema());
    url.searchParams.set('queryTimeoutMs', '500');
    const outcome = await Promise.race([
      StoreClient.open(url.toString()).then(
        async (client) => {
          await client.close();
          return 'opened';
        },
        (error: Error) => error,
      ),
      // Generous for a loaded machine: 0.5 s for the check, at most 2 s for its goodbye, 0.5 s
      // for the store's connect; the default query timeout alone is 30 s.
      new Promise((resolve) => setTimeout(() => resolve('still waiting after 15 s'), 15_000).unref()),
    ]);
    expect(outcome).toBeInstanceOf(Error);
    expect((outcome as Error & { code?: string }).code).toBe('STORE_UNAVAILABLE');
  } finally {
    await proxy.close();
  }
}, 60_000);

/**
 * The CLI's check that a PostgreSQL store exists (`status`, `list`, ... on a `postgres://` store)
 * against a server that went silent after the connection opened (a partition: no answer, no
 * reset): its query had no deadline and its goodbye waited for an answer, so the command hung for
 * ever. It now gives up after the query timeout (null: the store's own opening reports why).
 */
import { expect, it } from 'vitest';
import { pgSchemaExists } from '../../src/cli/pg-schema-exists.js';
import { assertServerReachable, freshSchema } from './pg-fixture.js';
import { silentProxy } from './silent-proxy.js';

it('gives up on a server gone silent after the query timeout', async () => {
  await assertServerReachable();
  const proxy = await silentProxy();
  try {
    proxy.silenceOn('schema_migrations');
    const started = Date.now();
    const answer = await Promise.race([
      pgSchemaExists(proxy.url, freshSchema(), 1_000),
      new Promise((resolve) => setTimeout(() => resolve('pending'), 15_000)),
    ]);
    expect(answer).toBeNull();
    // Generous for a loaded machine: 1 s for the query, at most 2 s for the goodbye.
    expect(Date.now() - started).toBeLessThan(10_000);
  } finally {
    await proxy.close();
  }
}, 30_000);

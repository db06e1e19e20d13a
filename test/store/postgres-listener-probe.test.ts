/**
 * The notification listener's connection dropped by the network without a word (a NAT or firewall
 * forgetting an idle connection, a partition: no FIN, no reset). The listener only reads, so
 * before, nothing noticed it until the system's TCP keepalive gave up, minutes later, and the node
 * missed every notification meanwhile. It now sends a cheap query every probe interval; one left
 * unanswered for an interval drops the connection and the listener reconnects, waking its
 * subscribers once (it may have missed notifications).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WorkListener } from '../../src/store/postgres/listener.js';
import type { WorkHint } from '../../src/store/store.js';
import { assertServerReachable, freshSchema } from './pg-fixture.js';
import { type SilentProxy, silentProxy } from './silent-proxy.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const CHANNEL = 'orchestrator_work_test';

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return check();
}

describe('a WorkListener whose connection the network drops silently', () => {
  it('notices within two probe intervals and reconnects', async () => {
    await assertServerReachable();
    const proxy: SilentProxy = await silentProxy();
    cleanups.push(() => proxy.close());
    const schema = freshSchema();
    // No query deadline: the probe alone must notice.
    const listener = new WorkListener(
      proxy.url,
      CHANNEL,
      schema,
      'orchestrator-listen-test',
      undefined,
      0,
      200,
    );
    cleanups.push(() => listener.close());
    const hints: WorkHint[] = [];
    await listener.subscribe((hint) => hints.push(hint));
    expect(listener.listening).toBe(true);
    // Healthy probes keep the connection.
    await new Promise((r) => setTimeout(r, 800));
    expect(listener.listening).toBe(true);
    expect(hints).toEqual([]);

    proxy.freeze();
    expect(await until(() => !listener.listening, 3_000)).toBe(true);
    // A new connection passes the proxy: the listener is back, and wakes its subscriber once.
    expect(await until(() => listener.listening, 10_000)).toBe(true);
    expect(await until(() => hints.length > 0, 2_000)).toBe(true);
    expect(hints).toEqual([{ kind: 'any' }]);
  });
});

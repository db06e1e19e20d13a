/**
 * Closing the notification listener while it reconnects to a server cut off by a partition (the
 * proxy accepts the connection, the server never answers): before, `close` waited for that attempt
 * to end (the connect timeout, then the query timeout for each of its two statements: up to 70 s
 * with the store's defaults). The attempt is now cut short. So it is when its last subscriber
 * unsubscribes meanwhile (an orchestrator's close unsubscribes before it closes the store): that
 * waited for the attempt too, up to the 10 s connect timeout and more; it now resolves at once,
 * the attempt ending the connection it opens by itself (or keeping it for a new subscriber).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WorkListener } from '../../src/store/postgres/listener.js';
import { assertServerReachable, freshSchema } from './pg-fixture.js';
import { silentProxy } from './silent-proxy.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return check();
}

/** Whether `listener` has a connection attempt under way (not part of its API). */
function reconnecting(listener: WorkListener): boolean {
  return (listener as unknown as { connecting: Promise<void> | null }).connecting !== null;
}

/**
 * A listener through a proxy, subscribed, whose server went silent: it has lost its connection
 * and is reconnecting. Returns it and its unsubscribe.
 */
async function reconnectingListener(): Promise<{ listener: WorkListener; unsubscribe: () => Promise<void> }> {
  await assertServerReachable();
  const proxy = await silentProxy();
  cleanups.push(() => proxy.close());
  // The store's default query deadline; probes every 200 ms notice the partition.
  const listener = new WorkListener(
    proxy.url,
    'orchestrator_work_test',
    freshSchema(),
    'listen-test',
    undefined,
    30_000,
    200,
  );
  cleanups.push(() => listener.close());
  const unsubscribe = await listener.subscribe(() => undefined);
  expect(listener.listening).toBe(true);
  proxy.silence();
  expect(await until(() => !listener.listening, 3_000)).toBe(true);
  expect(await until(() => reconnecting(listener), 3_000)).toBe(true);
  return { listener, unsubscribe };
}

describe('a WorkListener closed while it reconnects to a silent server', () => {
  it('ends at once, without waiting for the attempt', async () => {
    const { listener } = await reconnectingListener();
    const started = Date.now();
    await listener.close();
    // Generous for a loaded machine: the attempt's connect alone waits 10 s.
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(reconnecting(listener)).toBe(false);
  }, 40_000);

  it('unsubscribes its last subscriber at once, without waiting for the attempt', async () => {
    const { listener, unsubscribe } = await reconnectingListener();
    const started = Date.now();
    await unsubscribe();
    // Generous for a loaded machine: the attempt's connect alone waits 10 s.
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(listener.listening).toBe(false);
    // The attempt goes on by itself (it would serve a subscriber coming meanwhile); the store's
    // close cuts it short.
    await listener.close();
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(reconnecting(listener)).toBe(false);
  }, 40_000);
});

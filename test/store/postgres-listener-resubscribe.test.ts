/**
 * The notification listener's last subscriber leaves while the listener reconnects (its connection
 * was cut) and a new one subscribes at once: the new subscriber keeps the connection and is woken.
 * Before, the leave's disconnect, waiting for the reconnect to end, then closed the connection
 * the new subscriber had just got, with no retry: it was never woken again (polling only).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WorkListener, workPayloads } from '../../src/store/postgres/listener.js';
import type { WorkHint } from '../../src/store/store.js';
import { assertServerReachable, freshSchema, PG_URL, withClient } from './pg-fixture.js';

const listeners: WorkListener[] = [];
afterEach(async () => {
  for (const l of listeners.splice(0)) await l.close();
});

const CHANNEL = 'orchestrator_work_test';

describe('a WorkListener whose last subscriber leaves while it reconnects, another coming at once', () => {
  it('keeps the connection for the new subscriber, which is woken', async () => {
    await assertServerReachable();
    const schema = freshSchema();
    const app = `orchestrator-listen-test:${schema}`.slice(0, 63);
    const listener = new WorkListener(PG_URL, CHANNEL, schema, app);
    listeners.push(listener);
    const leave = await listener.subscribe(() => undefined);
    await withClient((admin) =>
      admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [
        app,
      ]),
    );
    // The reconnect under way (after its backoff, 100 ms at least).
    const state = listener as unknown as { connecting: Promise<void> | null };
    const deadline = Date.now() + 10_000;
    while (state.connecting === null && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    expect(state.connecting).not.toBeNull();

    const hints: WorkHint[] = [];
    const left = leave();
    const joined = listener.subscribe((hint) => hints.push(hint));
    await Promise.all([left, joined]);
    expect(listener.listening).toBe(true);
    await withClient((client) =>
      client.query('SELECT pg_notify($1, $2)', [CHANNEL, workPayloads(schema).placed('n2')]),
    );
    // (The reconnect's own wake, `any`, may come first: it says notices may have been missed.)
    const until = Date.now() + 5_000;
    while (!hints.some((h) => h.kind === 'placed') && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(hints).toContainEqual({ kind: 'placed', owner: 'n2' });
  });
});

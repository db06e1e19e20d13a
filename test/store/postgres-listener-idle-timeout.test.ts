/**
 * A server (or role, or database) with `idle_session_timeout` set ends idle sessions, and the
 * notification listener's connection is idle by design. Before, the server ended it each time the
 * limit passed: the listener reconnected and woke every subscriber for a whole housekeeping round
 * each time. The listener now turns the limit off for its own session (where the server has it).
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkListener } from '../../src/store/postgres/listener.js';
import type { WorkHint } from '../../src/store/store.js';
import { assertServerReachable, freshSchema, PG_URL, withClient } from './pg-fixture.js';

const listeners: WorkListener[] = [];
afterEach(async () => {
  for (const l of listeners.splice(0)) await l.close();
});

const CHANNEL = 'orchestrator_work_test';

/** The test server's URL with `idle_session_timeout` given per connection (as a DBA would per role). */
const IDLE_URL = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent('-c idle_session_timeout=300')}`;

/**
 * Opens a session with the same `idle_session_timeout`, runs one query and leaves it idle; resolves
 * once the server ended it: by then the limit has passed for every session idle since before.
 */
async function serverEndedIdleSession(): Promise<void> {
  const control = new pg.Client({ connectionString: IDLE_URL });
  const ended = new Promise<void>((resolve) => {
    control.on('error', () => resolve());
    control.on('end', () => resolve());
  });
  await control.connect();
  await control.query('SELECT 1');
  await ended;
}

describe('a WorkListener on a server that ends idle sessions', () => {
  it('keeps its connection: no reconnect, no extra wake-up', async () => {
    await assertServerReachable();
    const version = await withClient(async (c) => {
      const { rows } = await c.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
      return Number(rows[0]?.v);
    });
    const schema = freshSchema();
    const app = `orchestrator-listen-test:${schema}`.slice(0, 63);
    const listener = new WorkListener(IDLE_URL, CHANNEL, schema, app);
    listeners.push(listener);
    const hints: WorkHint[] = [];
    await listener.subscribe((hint) => hints.push(hint));
    expect(listener.listening).toBe(true);
    const pidOf = () =>
      withClient(async (c) => {
        const { rows } = await c.query<{ pid: number }>(
          'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
          [app],
        );
        return rows.map((r) => r.pid);
      });
    const before = await pidOf();
    expect(before).toHaveLength(1);
    // The limit is the server's own timer, which nothing here can move: a session of the same
    // settings opened after the listener's went idle, and left idle, shows when it has passed.
    if (version >= 140000) await serverEndedIdleSession();
    expect(hints).toEqual([]);
    expect(listener.listening).toBe(true);
    // Same session as at the start (servers before 14 have no such limit: nothing to end it).
    if (version >= 140000) expect(await pidOf()).toEqual(before);
  });
});

/**
 * A clock that reads fractions of a millisecond (an injected `now`, a time derived from
 * `performance.now()`) made a session whose expiry was fractional: written in base 36 it held a
 * '.', the cookie then split into four parts instead of three, and its verification failed —
 * signing in led straight back to the sign-in form. The expiry is now rounded up to a whole
 * millisecond when the session is made, so the expiry written and the one checked are the same.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDashboard } from '../../src/server/dashboard/index.js';
import { SessionManager } from '../../src/server/dashboard/session.js';
import { closeAll, setup, signedInCookie } from './helpers.js';

afterEach(closeAll);

describe('a session made on a fractional clock', () => {
  it('verifies, with the expiry it was made with, and ends when that passes', () => {
    let now = 1_000_000.25;
    const sessions = new SessionManager({ ttlMs: 1000.5, now: () => now });
    const { session, value } = sessions.create();
    expect(Number.isInteger(session.expiresAt)).toBe(true);
    expect(session.expiresAt).toBe(1_001_001);
    expect(value.split('.')).toHaveLength(3);
    expect(sessions.verify(value)).toEqual(session);
    now = 1_001_000.75;
    expect(sessions.verify(value)?.expiresAt).toBe(1_001_001);
    now = 1_001_001;
    expect(sessions.verify(value)).toBeNull();
  });

  it('still refuses a cookie whose expiry was tampered with', () => {
    const sessions = new SessionManager({ now: () => 5.5 });
    const { value } = sessions.create();
    const [nonce, exp, sig] = value.split('.') as [string, string, string];
    expect(sessions.verify(`${nonce}.${exp}z.${sig}`)).toBeNull();
    expect(sessions.verify(`${nonce}.${exp}.5.${sig}`)).toBeNull();
  });

  it('signs in to the dashboard and stays signed in', async () => {
    const f = await setup({
      app: { plugins: [createDashboard({ now: () => 1_700_000_000_000.4 })] },
    });
    const cookie = await signedInCookie(f);
    const page = await f.app.inject({ url: '/', headers: { cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Overview');
  });
});

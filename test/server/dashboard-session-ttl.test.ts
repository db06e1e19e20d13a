/**
 * A session shorter than a second (`sessionTtlSeconds: 0.5`, accepted as any fraction is) set a
 * cookie with `Max-Age=0`, which the browser deletes at once: signing in silently led back to the
 * sign-in form. The cookie's lifetime is now rounded up; the server still ends the session on time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDashboard } from '../../src/server/dashboard/index.js';
import { serializeCookie } from '../../src/server/dashboard/session.js';
import { closeAll, setup, TOKEN } from './helpers.js';

afterEach(closeAll);

describe('a session of a fraction of a second', () => {
  it('sets a cookie that lives until the session ends, and the session then ends', async () => {
    let now = 1_000_000;
    const f = await setup({
      app: { plugins: [createDashboard({ sessionTtlSeconds: 0.5, now: () => now })] },
    });
    const res = await f.app.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `token=${encodeURIComponent(TOKEN)}`,
    });
    expect(res.statusCode).toBe(303);
    const header = String(res.headers['set-cookie']);
    expect(header).toContain('Max-Age=1');
    const cookie = header.split(';')[0] as string;
    expect((await f.app.inject({ url: '/', headers: { cookie } })).statusCode).toBe(200);
    now += 500;
    expect((await f.app.inject({ url: '/', headers: { cookie } })).statusCode).toBe(303);
  });

  it('rounds Max-Age up, and 0 still deletes the cookie', () => {
    expect(serializeCookie('s', 'v', { secure: false, maxAge: 59.2 })).toContain('Max-Age=60');
    expect(serializeCookie('s', '', { secure: false, maxAge: 0 })).toContain('Max-Age=0');
  });
});

/**
 * "Sign out" on a page whose session had already ended (it expired, or the service restarted with
 * a new key) answered 401 "Sign in required" and left the dead cookie in the browser: a page with
 * nothing polling (a workflow, a finished execution) is where one clicks it. It now clears the
 * cookie and goes to the sign-in form, as a sign-out does; from another origin it is still refused,
 * and a live session still needs its CSRF token.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDashboard } from '../../src/server/dashboard/index.js';
import { closeAll, setup, TOKEN } from './helpers.js';

afterEach(closeAll);

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe('signing out of a session that has ended', () => {
  it('clears the cookie and goes to the sign-in form', async () => {
    let now = 1_000_000;
    const f = await setup({
      app: { plugins: [createDashboard({ sessionTtlSeconds: 60, now: () => now })] },
    });
    const login = await f.app.inject({
      method: 'POST',
      url: '/login',
      headers: FORM,
      payload: `token=${encodeURIComponent(TOKEN)}`,
    });
    const cookie = String(login.headers['set-cookie']).split(';')[0] as string;
    const page = await f.app.inject({ url: '/workflows', headers: { cookie } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] as string;
    now += 61_000;
    const out = await f.app.inject({
      method: 'POST',
      url: '/logout',
      headers: { ...FORM, cookie, origin: 'http://localhost:80' },
      payload: `_csrf=${encodeURIComponent(csrf)}`,
    });
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/login');
    expect(String(out.headers['set-cookie'])).toContain('orch_session=; Path=/');
    expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
    const none = await f.app.inject({ method: 'POST', url: '/logout', headers: FORM, payload: '' });
    expect(none.statusCode).toBe(303);
  });

  it('still refuses one from another origin, and a live session without its CSRF token', async () => {
    const f = await setup({ app: { plugins: [createDashboard()] } });
    const foreign = await f.app.inject({
      method: 'POST',
      url: '/logout',
      headers: { ...FORM, origin: 'https://evil.example' },
      payload: '',
    });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.headers['set-cookie']).toBeUndefined();
    const login = await f.app.inject({
      method: 'POST',
      url: '/login',
      headers: FORM,
      payload: `token=${encodeURIComponent(TOKEN)}`,
    });
    const cookie = String(login.headers['set-cookie']).split(';')[0] as string;
    const noToken = await f.app.inject({ method: 'POST', url: '/logout', headers: { ...FORM, cookie } });
    expect(noToken.statusCode).toBe(403);
    expect((await f.app.inject({ url: '/', headers: { cookie } })).statusCode).toBe(200);
  });
});

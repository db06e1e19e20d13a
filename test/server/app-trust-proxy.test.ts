/**
 * Behind a TLS-terminating reverse proxy the app saw every request as plain http from the proxy's
 * address to the proxy's upstream host: the dashboard's session cookie lacked `Secure`, its
 * same-origin check refused the browser's `https://ops.example.com` sign-in (403), and its sign-in
 * limit counted every client as one. `buildApp({ trustProxy })` names the proxies whose
 * X-Forwarded-For/-Proto/-Host are believed; anyone else's are still ignored. A bad entry is a
 * ValidationError naming it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { buildApp, createDashboard } from '../../src/index.js';
import { closeAll, setup, TOKEN } from './helpers.js';

afterEach(closeAll);

const FORWARDED = {
  'content-type': 'application/x-www-form-urlencoded',
  origin: 'https://ops.example.com',
  'x-forwarded-proto': 'https',
  'x-forwarded-host': 'ops.example.com',
  'x-forwarded-for': '203.0.113.7',
};

async function app(trustProxy?: string[]) {
  return setup({
    app: { plugins: [createDashboard({ maxLoginFailures: 1 })], ...(trustProxy ? { trustProxy } : {}) },
  });
}

const signIn = (
  f: Awaited<ReturnType<typeof app>>,
  remoteAddress: string,
  token = TOKEN,
  forwardedFor = '203.0.113.7',
) =>
  f.app.inject({
    method: 'POST',
    url: '/login',
    remoteAddress,
    headers: { ...FORWARDED, 'x-forwarded-for': forwardedFor },
    payload: `token=${encodeURIComponent(token)}`,
  });

describe('buildApp trustProxy', () => {
  it('believes a trusted proxy: https, the browser host, the client address', async () => {
    const f = await app(['127.0.0.1']);
    const res = await signIn(f, '127.0.0.1');
    expect(res.statusCode).toBe(303);
    expect(String(res.headers['set-cookie'])).toMatch(/; Secure$/);
    // The sign-in limit counts per client: one client's failure does not lock out another.
    expect((await signIn(f, '127.0.0.1', 'wrong', '203.0.113.8')).statusCode).toBe(401);
    expect((await signIn(f, '127.0.0.1', 'wrong', '203.0.113.8')).statusCode).toBe(429);
    expect((await signIn(f, '127.0.0.1', TOKEN, '203.0.113.9')).statusCode).toBe(303);
  });

  it('takes CIDRs and range names', async () => {
    for (const trust of [['127.0.0.0/8'], ['loopback'], ['::1', '10.0.0.0/8', '127.0.0.1']]) {
      const f = await app(trust);
      expect((await signIn(f, '127.0.0.1')).statusCode, trust.join()).toBe(303);
    }
  });

  it('ignores the headers of anyone else, and all of them without trustProxy', async () => {
    const trusting = await app(['10.0.0.1']);
    expect((await signIn(trusting, '127.0.0.1')).statusCode).toBe(403);
    const plain = await app();
    expect((await signIn(plain, '127.0.0.1')).statusCode).toBe(403);
    const local = await plain.app.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-proto': 'https' },
      payload: `token=${encodeURIComponent(TOKEN)}`,
    });
    expect(local.statusCode).toBe(303);
    expect(String(local.headers['set-cookie'])).not.toContain('Secure');
  });

  it.each([
    [[], 'trustProxy'],
    ['127.0.0.1', 'trustProxy'],
    [true, 'trustProxy'],
    [['127.0.0.1', 'proxy.local'], 'trustProxy[1]'],
    [['10.0.0.0/33'], 'trustProxy[0]'],
    [['::1/129'], 'trustProxy[0]'],
    [['10.0.0.0/'], 'trustProxy[0]'],
    [[''], 'trustProxy[0]'],
    [[5], 'trustProxy[0]'],
  ])('refuses %j naming %s', async (trustProxy, path) => {
    const f = await setup();
    let error: unknown;
    try {
      await buildApp(f.orch, { token: TOKEN, trustProxy: trustProxy as never });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path)).toEqual([path]);
  });
});

/**
 * The dashboard's secrets — the API token typed into its sign-in form (right or wrong) and the
 * session cookie it hands out — appear in no log line, at any level, and in no page: the
 * sign-in form, a failed sign-in, the pages and fragments of a session, sign-out, an error page.
 * A guard (it passed on the current code).
 */
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createDashboard } from '../../src/server/dashboard/index.js';
import { createServerLogger } from '../../src/server/logger.js';
import { closeAll, define, setup, TOKEN } from './helpers.js';

afterEach(closeAll);

const FORM = { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost:80' };
const WRONG = 'wrong-token-Zk81qQ7';

describe('dashboard secrets', () => {
  it('the token and the session cookie are never logged nor shown', async () => {
    const lines: string[] = [];
    const logger = createServerLogger({
      level: 'trace',
      destination: { write: (s: string) => lines.push(s) },
    });
    const f = await setup({ app: { logger, plugins: [createDashboard()] } });
    await define(f, 'hello', [{ name: 'greet' }]);
    const bodies: LightMyRequestResponse[] = [];
    const go = async (options: InjectOptions) => {
      const res = await f.app.inject(options);
      bodies.push(res);
      return res;
    };
    await go({ url: '/login?next=%2Fworkflows' });
    await go({ method: 'POST', url: '/login', headers: FORM, payload: `token=${WRONG}` });
    await go({ method: 'POST', url: '/login', headers: FORM, payload: `token=${'x'.repeat(5000)}${WRONG}` });
    await go({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'application/json', origin: 'http://localhost:80' },
      payload: JSON.stringify({ token: WRONG }),
    });
    const signedIn = await go({ method: 'POST', url: '/login', headers: FORM, payload: `token=${TOKEN}` });
    expect(signedIn.statusCode).toBe(303);
    const cookie = String(signedIn.headers['set-cookie']).split(';')[0] as string;
    const session = cookie.split('=')[1] as string;
    expect(session.length).toBeGreaterThan(20);
    for (const url of [
      '/',
      '/workflows',
      '/executions',
      '/workers',
      '/executions/exec_nope',
      '/ui/overview',
      '/nope',
    ]) {
      await go({ url, headers: { cookie } });
    }
    const home = await go({ url: '/', headers: { cookie } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(home.body)?.[1] ?? '';
    await go({ method: 'POST', url: '/logout', headers: { ...FORM, cookie }, payload: `_csrf=${csrf}` });
    await go({ url: '/', headers: { cookie } });
    const logged = lines.join('');
    expect(logged).toContain('dashboard sign-in failed');
    expect(logged).toContain('incoming request');
    for (const secret of [TOKEN, WRONG, session]) {
      expect(logged).not.toContain(secret);
      for (const res of bodies) expect(res.body).not.toContain(secret);
    }
  });
});

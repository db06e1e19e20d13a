/**
 * Dashboard routes through `app.inject()`: sign-in (cookie flags, wrong token, open-redirect
 * guard, rate limit), the redirect to sign-in, the CSP and other headers, CSRF (missing token,
 * foreign Origin, cross-site fetch → 403), cancel, sign-out revocation, escaping of user data
 * in every page, error pages, pagination, the fragments htmx polls, and the assets.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { type ExecutionFilter, MemoryStore } from '../../src/index.js';
import {
  CONTENT_SECURITY_POLICY,
  createDashboard,
  type DashboardOptions,
} from '../../src/server/dashboard/index.js';
import type { ActionHandler } from '../../src/types.js';
import { closeAll, define, envelope, type Fixture, setup, start, TOKEN, until } from './helpers.js';

afterEach(closeAll);

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const SAME_ORIGIN = { origin: 'http://localhost:80' };

const XSS = [
  '<img src=x onerror=window.__xss=1>',
  '"><script>window.__xss=1</script>',
  "'><svg onload=window.__xss=1>",
  'javascript:window.__xss=1',
  '" hx-get="/logout" hx-trigger="load',
];

async function dashboard(options: DashboardOptions = {}, actions: Record<string, ActionHandler> = {}) {
  return setup({ app: { plugins: [createDashboard(options)] }, orchestrator: { actions } });
}

function cookieOf(res: LightMyRequestResponse): string {
  const header = res.headers['set-cookie'];
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) throw new Error('no set-cookie');
  return value.split(';')[0] as string;
}

async function signIn(f: Fixture): Promise<{ cookie: string; csrf: string }> {
  const res = await f.app.inject({
    method: 'POST',
    url: '/login',
    headers: { ...FORM, ...SAME_ORIGIN },
    payload: `token=${encodeURIComponent(TOKEN)}`,
  });
  expect(res.statusCode).toBe(303);
  const cookie = cookieOf(res);
  const page = await f.app.inject({ url: '/', headers: { cookie } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  if (!csrf) throw new Error('no csrf token on the page');
  return { cookie, csrf };
}

describe('sign-in', () => {
  it('redirects pages to the sign-in form, keeping where the user was going', async () => {
    const f = await dashboard();
    const home = await f.app.inject({ url: '/' });
    expect(home.statusCode).toBe(303);
    expect(home.headers.location).toBe('/login');
    const list = await f.app.inject({ url: '/executions?status=failed' });
    expect(list.headers.location).toBe('/login?next=%2Fexecutions%3Fstatus%3Dfailed');
    // A bearer token is for the API; the dashboard wants its session.
    const bearer = await f.call({ url: '/workers' });
    expect(bearer.statusCode).toBe(303);
  });

  it('answers fragments with 401 and HX-Redirect, chart data with a JSON 401', async () => {
    const f = await dashboard();
    const fragment = await f.app.inject({ url: '/ui/overview', headers: { 'hx-request': 'true' } });
    expect(fragment.statusCode).toBe(401);
    expect(fragment.headers['hx-redirect']).toBe('/login');
    const data = await f.app.inject({ url: '/ui/series.json' });
    expect(data.statusCode).toBe(401);
    expect(data.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
  });

  it('sends a live page whose session ended to sign-in and back to that page', async () => {
    // Every page refreshes itself, so an open page meets the end of its session in a fragment.
    const f = await dashboard();
    const redirect = async (current: string) =>
      (
        await f.app.inject({
          url: '/ui/executions/exec_1',
          headers: { 'hx-request': 'true', 'hx-current-url': current },
        })
      ).headers['hx-redirect'];
    expect(await redirect('http://localhost/executions/exec_1?x=1')).toBe(
      '/login?next=%2Fexecutions%2Fexec_1%3Fx%3D1',
    );
    expect(await redirect('http://localhost/executions?status=failed')).toBe(
      '/login?next=%2Fexecutions%3Fstatus%3Dfailed',
    );
    // Never anywhere else.
    expect(await redirect('http://localhost//evil.example/x')).toBe('/login');
    expect(await redirect('not a url')).toBe('/login');
  });

  it('serves the form with a strict CSP and no inline script or style', async () => {
    const f = await dashboard();
    const res = await f.app.inject({ url: '/login' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body).toContain('name="token"');
    expect(res.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(res.body).not.toMatch(/\sstyle=/);
    expect(res.body).not.toMatch(/<style/);
  });

  it('sets an HttpOnly, SameSite=Strict session cookie that does not hold the token', async () => {
    const f = await dashboard();
    const res = await f.app.inject({
      method: 'POST',
      url: '/login',
      headers: FORM,
      payload: `token=${encodeURIComponent(TOKEN)}&next=${encodeURIComponent('/executions?status=failed')}`,
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/executions?status=failed');
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/^orch_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    expect(setCookie).not.toContain(TOKEN);
    expect(setCookie).not.toContain('Secure'); // plain http here; https adds it (unit-tested)
    const page = await f.app.inject({ url: '/', headers: { cookie: cookieOf(res) } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('data-stat="success-rate"');
  });

  it('marks the cookie Secure when told to (TLS ends at a proxy)', async () => {
    const f = await dashboard({ secureCookie: true });
    const res = await f.app.inject({
      method: 'POST',
      url: '/login',
      headers: FORM,
      payload: `token=${encodeURIComponent(TOKEN)}`,
    });
    expect(String(res.headers['set-cookie'])).toMatch(/; HttpOnly; SameSite=Strict; Max-Age=43200; Secure$/);
  });

  it('refuses a wrong token without a cookie, and never redirects off the site', async () => {
    const f = await dashboard();
    const wrong = await f.app.inject({
      method: 'POST',
      url: '/login',
      headers: FORM,
      payload: 'token=not-the-token',
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    expect(wrong.body).toContain('Wrong token.');
    for (const next of [
      '//evil.example/x',
      'https://evil.example',
      '/\\evil.example',
      'javascript:alert(1)',
    ]) {
      const res = await f.app.inject({
        method: 'POST',
        url: '/login',
        headers: FORM,
        payload: `token=${encodeURIComponent(TOKEN)}&next=${encodeURIComponent(next)}`,
      });
      expect(res.headers.location).toBe('/');
    }
  });

  it('refuses a sign-in that sends the token twice, unread (the last was used: one counted failure, two guesses)', async () => {
    const f = await dashboard();
    for (const payload of [
      `token=wrong&token=${encodeURIComponent(TOKEN)}`,
      `token=${encodeURIComponent(TOKEN)}&token=`,
    ]) {
      const res = await f.app.inject({ method: 'POST', url: '/login', headers: FORM, payload });
      expect(res.statusCode, payload).toBe(400);
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(res.body).toContain('The sign-in sent the token more than once: send it once.');
    }
    // A next sent twice is no next: the sign-in goes to the start page.
    const res = await f.app.inject({
      method: 'POST',
      url: '/login',
      headers: FORM,
      payload: `token=${encodeURIComponent(TOKEN)}&next=%2Fa&next=%2Fb`,
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/');
  });

  it('refuses a sign-in posted from another origin', async () => {
    const f = await dashboard();
    const res = await f.app.inject({
      method: 'POST',
      url: '/login',
      headers: { ...FORM, origin: 'https://evil.example' },
      payload: `token=${encodeURIComponent(TOKEN)}`,
    });
    expect(res.statusCode).toBe(403);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('limits failed sign-ins per client', async () => {
    const f = await dashboard({ maxLoginFailures: 3 });
    const attempt = (token: string) =>
      f.app.inject({ method: 'POST', url: '/login', headers: FORM, payload: `token=${token}` });
    for (let i = 0; i < 3; i++) expect((await attempt('wrong')).statusCode).toBe(401);
    const limited = await attempt(encodeURIComponent(TOKEN));
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['set-cookie']).toBeUndefined();
  });

  it('ignores a forged or tampered cookie', async () => {
    const f = await dashboard();
    const { cookie } = await signIn(f);
    const [name, value] = cookie.split('=') as [string, string];
    const parts = value.split('.');
    const forged = `${name}=${parts[0]}.${(Date.now() + 1e9).toString(36)}.${parts[2]}`;
    expect((await f.app.inject({ url: '/', headers: { cookie: forged } })).statusCode).toBe(303);
    expect((await f.app.inject({ url: '/', headers: { cookie: `${name}=${TOKEN}` } })).statusCode).toBe(303);
  });

  it('signs out with the CSRF token only, and the old cookie stops working', async () => {
    const f = await dashboard();
    const { cookie, csrf } = await signIn(f);
    const noToken = await f.app.inject({ method: 'POST', url: '/logout', headers: { ...FORM, cookie } });
    expect(noToken.statusCode).toBe(403);
    const res = await f.app.inject({
      method: 'POST',
      url: '/logout',
      headers: { ...FORM, cookie, ...SAME_ORIGIN },
      payload: `_csrf=${encodeURIComponent(csrf)}`,
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/login');
    expect(String(res.headers['set-cookie'])).toContain('Max-Age=0');
    expect((await f.app.inject({ url: '/', headers: { cookie } })).statusCode).toBe(303);
  });
});

describe('cancel and CSRF', () => {
  async function running(f: Fixture): Promise<string> {
    await define(f, 'blocking', [{ name: 'wait', action: 'block' }]);
    const id = await start(f, 'blocking');
    await until(async () => (await f.orch.workflowEngine.getExecutionStatus(id))?.status === 'running');
    return id;
  }

  it('refuses a cancel without the CSRF token, with a wrong one, or from another origin', async () => {
    const f = await dashboard();
    const { cookie, csrf } = await signIn(f);
    const id = await running(f);
    const url = `/executions/${id}/cancel`;
    const cases = [
      { headers: { cookie } },
      { headers: { cookie, 'x-csrf-token': 'wrong' } },
      { headers: { cookie, 'x-csrf-token': csrf, origin: 'https://evil.example' } },
      { headers: { cookie, 'x-csrf-token': csrf, origin: 'null' } },
      { headers: { cookie, 'x-csrf-token': csrf, 'sec-fetch-site': 'cross-site' } },
    ];
    for (const c of cases) {
      const res = await f.app.inject({ method: 'POST', url, ...c });
      expect(res.statusCode, JSON.stringify(c.headers)).toBe(403);
    }
    // Without a session at all: not signed in.
    const anonymous = await f.app.inject({ method: 'POST', url, headers: { 'x-csrf-token': csrf } });
    expect(anonymous.statusCode).toBe(401);
    expect((await f.orch.workflowEngine.getExecutionStatus(id))?.status).toBe('running');
  });

  it('cancels with the token in the header (htmx) and answers the updated fragment', async () => {
    const f = await dashboard();
    const { cookie, csrf } = await signIn(f);
    const id = await running(f);
    const res = await f.app.inject({
      method: 'POST',
      url: `/executions/${id}/cancel`,
      headers: { cookie, 'x-csrf-token': csrf, 'hx-request': 'true', ...SAME_ORIGIN },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/^<section id="exec-detail" data-status="cancelled"/);
    expect(res.body).toContain('Cancelled.');
    expect((await f.orch.workflowEngine.getExecutionStatus(id))?.status).toBe('cancelled');
  });

  it('cancels with the token as a form field and redirects back (no JavaScript)', async () => {
    const f = await dashboard();
    const { cookie, csrf } = await signIn(f);
    const id = await running(f);
    const res = await f.app.inject({
      method: 'POST',
      url: `/executions/${id}/cancel`,
      headers: { ...FORM, cookie, 'sec-fetch-site': 'same-origin' },
      payload: `_csrf=${encodeURIComponent(csrf)}`,
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/executions/${id}?cancel=done`);
    expect((await f.orch.workflowEngine.getExecutionStatus(id))?.status).toBe('cancelled');
    const page = await f.app.inject({ url: `/executions/${id}`, headers: { cookie } });
    expect(page.body).not.toContain('id="cancel-execution"');
  });
});

describe('pages', () => {
  const payload = XSS.join(' | ');
  const xssActions: Record<string, ActionHandler> = {
    echo: (input) => ({ echoed: input, [XSS[0] as string]: XSS[1] }),
    explode: () => {
      throw Object.assign(new Error(`bad input ${payload}`), { code: XSS[0] });
    },
  };

  function assertEscaped(body: string, shown = true): void {
    expect(body).not.toContain('<img src=x');
    expect(body).not.toContain('<script>window');
    expect(body).not.toContain('<svg onload');
    expect(body).not.toContain('" hx-get="/logout"');
    if (shown) expect(body).toContain('&lt;img src=x onerror=window.__xss=1&gt;');
  }

  it('escapes workflow descriptions, inputs, outputs and errors on every page', async () => {
    const f = await dashboard({}, xssActions);
    const res = await f.call({
      method: 'POST',
      url: '/v1/workflows',
      payload: {
        id: 'xss',
        steps: [{ name: 'echo' }, { name: 'explode' }],
        options: { description: payload },
      },
    });
    expect(res.statusCode).toBe(201);
    const id = await start(f, 'xss', {
      input: { text: payload, [XSS[2] as string]: XSS[3] },
      idempotencyKey: XSS[1],
    });
    const done = await f.orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
    expect(done.status).toBe('failed');
    const { cookie } = await signIn(f);
    for (const url of [
      '/',
      '/workflows',
      '/workflows/xss',
      '/executions',
      `/executions/${id}`,
      `/ui/executions/${id}`,
    ]) {
      const page = await f.app.inject({ url, headers: { cookie } });
      expect(page.statusCode, url).toBe(200);
      assertEscaped(page.body, url !== '/');
    }
  });

  it('shows a right-to-left override in a description, an input and an output as \\u202e', async () => {
    const f = await dashboard({}, { mirror: (input) => ({ said: (input as { text: string }).text }) });
    const rlo = 'héllo \u202eevil';
    const made = await f.call({
      method: 'POST',
      url: '/v1/workflows',
      payload: { id: 'rtl', steps: [{ name: 'mirror' }], options: { description: rlo } },
    });
    expect(made.statusCode).toBe(201);
    const id = await start(f, 'rtl', { input: { text: rlo } });
    expect((await f.orch.workflowEngine.waitForCompletion(id, { timeout: 5 })).status).toBe('completed');
    const { cookie } = await signIn(f);
    for (const url of ['/workflows', '/workflows/rtl', `/executions/${id}`]) {
      const page = await f.app.inject({ url, headers: { cookie } });
      expect(page.body, url).not.toContain('\u202e');
      expect(page.body, url).toContain('héllo \\u202eevil');
    }
  });

  it('escapes ids in error pages (404 and 400)', async () => {
    const f = await dashboard();
    const { cookie } = await signIn(f);
    const exec = await f.app.inject({
      url: `/executions/${encodeURIComponent(XSS[0] as string)}`,
      headers: { cookie },
    });
    expect(exec.statusCode).toBe(404);
    expect(exec.headers['content-type']).toBe('text/html; charset=utf-8');
    assertEscaped(exec.body);
    const wf = await f.app.inject({
      url: `/workflows/${encodeURIComponent(XSS[0] as string)}`,
      headers: { cookie },
    });
    expect(wf.statusCode).toBe(404);
    assertEscaped(wf.body);
    const bad = await f.app.inject({
      url: `/executions?status=${encodeURIComponent(XSS[0] as string)}`,
      headers: { cookie },
    });
    expect(bad.statusCode).toBe(400);
    assertEscaped(bad.body);
    // A workflow id filter that is no workflow id is refused too, echoed escaped.
    const badId = await f.app.inject({
      url: `/executions?workflowId=${encodeURIComponent(XSS[0] as string)}`,
      headers: { cookie },
    });
    expect(badId.statusCode).toBe(400);
    expect(badId.body).toContain('workflowId: expected a workflow id');
    assertEscaped(badId.body);
    const fragment = await f.app.inject({
      url: '/ui/executions/nope',
      headers: { cookie, 'hx-request': 'true' },
    });
    expect(fragment.statusCode).toBe(404);
    expect(fragment.body).toMatch(/^<section class="error-page">/);
  });

  it('pages executions by cursor: Older carries before=<last id> and the filters, none repeated or skipped', async () => {
    const f = await dashboard({ pageSize: 10 });
    await define(f, 'hello', [{ name: 'greet' }]);
    await define(f, 'other', [{ name: 'greet' }]);
    const finish = async (workflowId: string) => {
      const id = await start(f, workflowId);
      await f.orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
      return id;
    };
    const ids: string[] = [];
    for (let i = 0; i < 23; i++) {
      ids.push(await finish('hello'));
      if (i % 5 === 0) await finish('other');
    }
    const rows = (body: string) => [...body.matchAll(/<tr data-execution="([^"]+)"/g)].map((m) => m[1]);
    const newest = ids.toReversed();
    const { cookie } = await signIn(f);

    const first = await f.app.inject({ url: '/executions?workflowId=hello', headers: { cookie } });
    expect(rows(first.body)).toEqual(newest.slice(0, 10));
    expect(first.body).toContain('Newest 10 of 23 executions');
    expect(first.body).toContain(
      `<a id="pager-next" href="/executions?workflowId=hello&amp;before=${ids[13]}"`,
    );
    expect(first.body).toContain('<span class="disabled">↖ Newest</span>');

    // Created between page loads: newer than the cursor, so on no later page.
    for (let i = 0; i < 4; i++) await finish('hello');
    await finish('other');
    const second = await f.app.inject({
      url: `/ui/executions?workflowId=hello&before=${ids[13]}`,
      headers: { cookie, 'hx-request': 'true', 'hx-trigger': 'pager-next' },
    });
    expect(second.statusCode).toBe(200);
    expect(rows(second.body)).toEqual(newest.slice(10, 20));
    expect(second.body).toContain('10 older executions · 27 in all');
    expect(second.headers['hx-push-url']).toBe(`/executions?workflowId=hello&before=${ids[13]}`);
    // It polls itself with its cursor, and links back to the newest page with the filters.
    expect(second.body).toContain(`hx-get="/ui/executions?workflowId=hello&amp;before=${ids[13]}"`);
    expect(second.body).toContain('<a id="pager-newest" href="/executions?workflowId=hello"');
    expect(second.body).toContain(
      `<a id="pager-next" href="/executions?workflowId=hello&amp;before=${ids[3]}"`,
    );

    const third = await f.app.inject({
      url: `/executions?workflowId=hello&before=${ids[3]}`,
      headers: { cookie },
    });
    expect(rows(third.body)).toEqual(newest.slice(20));
    // The last page: no Older link (it fetched one more row than it shows to know).
    expect(third.body).toContain('<span class="disabled">Older →</span>');
    expect(third.body).not.toContain('id="pager-next"');

    // A status filter pages by cursor too.
    const completed = await f.app.inject({
      url: `/ui/executions?status=completed&workflowId=hello&before=${ids[3]}`,
      headers: { cookie },
    });
    expect(rows(completed.body)).toEqual(newest.slice(20));
    const failed = await f.app.inject({
      url: `/ui/executions?status=failed&before=${ids[3]}`,
      headers: { cookie },
    });
    expect(failed.body).toContain('No older executions match.');
    const none = await f.app.inject({ url: '/ui/executions?status=failed', headers: { cookie } });
    expect(none.body).toContain('No executions match.');
  });

  it('pages back by cursor: Newer carries after=<first id> and the filters, the nearest page above', async () => {
    const f = await dashboard({ pageSize: 3 });
    await define(f, 'hello', [{ name: 'greet' }]);
    await define(f, 'other', [{ name: 'greet' }]);
    const finish = async (workflowId: string) => {
      const id = await start(f, workflowId);
      await f.orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
      return id;
    };
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      ids.push(await finish('hello'));
      if (i % 3 === 0) await finish('other');
    }
    const rows = (body: string) => [...body.matchAll(/<tr data-execution="([^"]+)"/g)].map((m) => m[1]);
    const newest = ids.toReversed();
    const { cookie } = await signIn(f);
    const get = (url: string) => f.app.inject({ url, headers: { cookie, 'hx-request': 'true' } });
    const newerLink = (after: string) =>
      `<a id="pager-prev" href="/executions?workflowId=hello&amp;after=${after}"`;

    const first = await f.app.inject({ url: '/executions?workflowId=hello', headers: { cookie } });
    expect(rows(first.body)).toEqual(newest.slice(0, 3));
    expect(first.body).toContain('<span class="disabled">← Newer</span>');
    const second = await get(`/ui/executions?workflowId=hello&before=${newest[2]}`);
    expect(rows(second.body)).toEqual(newest.slice(3, 6));
    expect(second.body).toContain(newerLink(newest[3]!));

    // The last page: Newer leads to the page above it, not to the newest.
    const last = await get(`/ui/executions?workflowId=hello&before=${newest[5]}`);
    expect(rows(last.body)).toEqual(newest.slice(6));
    expect(last.body).toContain(newerLink(newest[6]!));
    const up = await get(`/ui/executions?workflowId=hello&after=${newest[6]}`);
    expect(up.statusCode).toBe(200);
    expect(rows(up.body)).toEqual(newest.slice(3, 6));
    expect(up.body).toContain('3 newer executions · 8 in all');
    expect(up.headers['hx-push-url']).toBe(`/executions?workflowId=hello&after=${newest[6]}`);
    expect(up.body).toContain(`hx-get="/ui/executions?workflowId=hello&amp;after=${newest[6]}"`);
    expect(up.body).toContain('<a id="pager-newest" href="/executions?workflowId=hello"');
    expect(up.body).toContain(newerLink(newest[3]!));
    expect(up.body).toContain(
      `<a id="pager-next" href="/executions?workflowId=hello&amp;before=${newest[5]}"`,
    );

    // The page above that is the newest: no Newer link (it fetched one more row than it shows).
    const top = await get(`/ui/executions?workflowId=hello&after=${newest[3]}`);
    expect(rows(top.body)).toEqual(newest.slice(0, 3));
    expect(top.body).toContain('<span class="disabled">← Newer</span>');
    expect(top.body).toContain(
      `<a id="pager-next" href="/executions?workflowId=hello&amp;before=${newest[2]}"`,
    );
    // Created since: the same page, and now a Newer link to them.
    const made = await finish('hello');
    const newestOfAll = await finish('other');
    const again = await get(`/ui/executions?workflowId=hello&after=${newest[3]}`);
    expect(rows(again.body)).toEqual(newest.slice(0, 3));
    expect(again.body).toContain(newerLink(newest[0]!));
    expect(rows((await get(`/ui/executions?workflowId=hello&after=${newest[0]}`)).body)).toEqual([made]);

    // A status filter pages by cursor too; nothing newer says so.
    const failed = await get(`/ui/executions?status=failed&after=${ids[0]}`);
    expect(failed.body).toContain('No newer executions match.');
    const none = await get(`/ui/executions?after=${newestOfAll}`);
    expect(none.body).toContain('No newer executions · 13 in all');
    expect(none.body).toContain('<a id="pager-newest" href="/executions"');
  });

  it('says an older page with nothing left is empty and links to the newest page', async () => {
    const f = await dashboard({ pageSize: 2 });
    await define(f, 'hello', [{ name: 'greet' }]);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(await start(f, 'hello'));
      await f.orch.workflowEngine.waitForCompletion(ids[i] as string, { timeout: 5 });
    }
    const { cookie } = await signIn(f);
    const res = await f.app.inject({ url: `/executions?before=${ids[0]}`, headers: { cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toMatch(/<tr data-execution=/);
    expect(res.body).toContain('No older executions · 3 in all');
    expect(res.body).toContain('<a id="pager-newest" href="/executions"');
  });

  it('answers 400 naming before or after for a cursor that is not an execution id, or for both', async () => {
    const f = await dashboard();
    const { cookie } = await signIn(f);
    for (const url of ['/executions?before=nope', '/ui/executions?before=exec_123']) {
      const res = await f.app.inject({ url, headers: { cookie } });
      expect(res.statusCode, url).toBe(400);
      expect(res.body).toMatch(/before: expected an execution id/);
    }
    const id = 'exec_00mik5q5c0001a1b2c3d4e5';
    for (const [url, pattern] of [
      ['/executions?after=nope', /after: expected an execution id/],
      ['/ui/executions?after=exec_123', /after: expected an execution id/],
      [`/executions?before=${id}&after=${id}`, /after: expected no after with before/],
    ] as const) {
      const res = await f.app.inject({ url, headers: { cookie } });
      expect(res.statusCode, url).toBe(400);
      expect(res.body).toMatch(pattern);
    }
  });

  it('answers 400 naming workflowId for a filter that is no workflow id, as GET /v1/executions does', async () => {
    const f = await dashboard();
    const { cookie } = await signIn(f);
    for (const url of [
      '/executions?workflowId=has%20space',
      '/ui/executions?workflowId=tab%09in',
      '/executions?workflowId=..',
      '/executions?workflowId=__proto__',
      `/executions?workflowId=${'w'.repeat(200)}`,
    ]) {
      const res = await f.app.inject({ url, headers: { cookie } });
      expect(res.statusCode, url).toBe(400);
      expect(res.body, url).toMatch(/workflowId: expected a workflow id \(1 to 128 /);
    }
    for (const url of [
      '/executions?workflowId=w.1-x_y',
      '/executions?workflowId=%20hello%20',
      '/executions?workflowId=',
    ]) {
      const res = await f.app.inject({ url, headers: { cookie } });
      expect(res.statusCode, url).toBe(200);
    }
  });

  it('answers 501 for an older page on a custom store that ignores before', async () => {
    class OldStore extends MemoryStore {
      override listExecutions(filter: ExecutionFilter) {
        const { before: _ignored, ...rest } = filter;
        return super.listExecutions(rest);
      }
    }
    const f = await setup({
      app: { plugins: [createDashboard({ pageSize: 1 })] },
      orchestrator: { store: new OldStore() },
    });
    await define(f, 'hello', [{ name: 'greet' }]);
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      ids.push(await start(f, 'hello'));
      await f.orch.workflowEngine.waitForCompletion(ids[i] as string, { timeout: 5 });
    }
    const { cookie } = await signIn(f);
    const res = await f.app.inject({ url: `/executions?before=${ids[1]}`, headers: { cookie } });
    expect(res.statusCode).toBe(501);
    expect(res.body).toContain('<h1>Not supported</h1>');
    expect(res.body).toContain('cannot list executions after a cursor');
  });

  it('puts filter changes in the address bar, but not the polling', async () => {
    const f = await dashboard();
    const { cookie } = await signIn(f);
    const filter = await f.app.inject({
      url: '/ui/executions?status=running&workflowId=',
      headers: { cookie, 'hx-request': 'true', 'hx-trigger': 'exec-filters' },
    });
    expect(filter.headers['hx-push-url']).toBe('/executions?status=running');
    expect(filter.body).toContain('hx-get="/ui/executions?status=running"');
    const poll = await f.app.inject({
      url: '/ui/executions?status=running',
      headers: { cookie, 'hx-request': 'true', 'hx-trigger': 'exec-panel' },
    });
    expect(poll.headers['hx-push-url']).toBeUndefined();
  });

  it('shows the optimizer view of a workflow: bottleneck, step shares, suggestions', async () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const f = await setup({
      app: { plugins: [createDashboard()] },
      orchestrator: {
        slowThreshold: 10,
        actions: {
          quick: () => 1,
          slow: async () => {
            await sleep(30);
            return 2;
          },
        },
      },
    });
    await define(f, 'timed', [{ name: 'quick' }, { name: 'slow' }]);
    await f.orch.workflowEngine.waitForCompletion(await start(f, 'timed'), { timeout: 5 });
    const { cookie } = await signIn(f);
    const page = await f.app.inject({ url: '/workflows/timed', headers: { cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(
      /data-stat="bottleneck">\s*<div class="stat-label">Bottleneck<\/div>\s*<div class="stat-value" title="slow">slow</,
    );
    expect(page.body).toContain('Consider parallel execution of independent steps');
    // One execution: the bottleneck's share says what it rests on, on its tile too.
    expect(page.body).toMatch(
      /data-stat="bottleneck">[\s\S]*?<div class="stat-hint">[\d.]+ ?% of step time \(from 1 execution only\)<\/div>/,
    );
    expect(page.body).toMatch(
      /<li>Step (&#39;|&#x27;)slow\1 takes \d+% of the workflow\1s step time \(from 1 execution only\)<\/li>/,
    );
    expect(page.body).toContain('<tr data-step="slow" class="bottleneck">');
    const list = await f.app.inject({ url: '/workflows', headers: { cookie } });
    expect(list.body).toContain('<tr data-workflow="timed">');
    const v1 = await f.app.inject({ url: '/workflows/timed?version=1', headers: { cookie } });
    expect(v1.statusCode).toBe(200);
    const v9 = await f.app.inject({ url: '/workflows/timed?version=9', headers: { cookie } });
    expect(v9.statusCode).toBe(404);
    expect(v9.body).toContain('has no version 9');
    // A malformed version is a bad request (400, as GET /v1/workflows/:id answers); empty means latest.
    for (const bad of ['abc', '0', '1.5', '-1', '1&version=2']) {
      const res = await f.app.inject({ url: `/workflows/timed?version=${bad}`, headers: { cookie } });
      expect(res.statusCode, bad).toBe(400);
      expect(res.body, bad).toContain('version: expected a version number from 1');
    }
    const latest = await f.app.inject({ url: '/workflows/timed?version=', headers: { cookie } });
    expect(latest.statusCode).toBe(200);
  });

  it('shows worker load, balance and node heartbeats', async () => {
    const f = await dashboard();
    const { cookie } = await signIn(f);
    const page = await f.app.inject({ url: '/workers', headers: { cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('data-worker="worker_1" data-active="0"');
    expect(page.body).toContain(`data-node="${f.orch.nodeId}"`);
    expect(page.body).toContain('balanced');
    const fragment = await f.app.inject({ url: '/ui/workers', headers: { cookie } });
    expect(fragment.body).toMatch(/^<div id="workers-live" hx-get="\/ui\/workers" hx-trigger="every 2s"/);
  });

  it('feeds the charts from finished executions', async () => {
    const f = await dashboard({ bucketSeconds: 1, windowMinutes: 1 });
    await define(f, 'hello', [{ name: 'greet' }, { name: 'fail' }]);
    await f.orch.workflowEngine.waitForCompletion(await start(f, 'hello'), { timeout: 5 });
    const { cookie } = await signIn(f);
    const res = await f.app.inject({ url: '/ui/series.json', headers: { cookie } });
    expect(res.statusCode).toBe(200);
    const s = res.json();
    expect(s.t).toHaveLength(60);
    expect(s.failed.reduce((a: number, b: number) => a + b, 0)).toBe(1);
    expect(s.avgMs.some((v: number | null) => v !== null)).toBe(true);
  });

  it('charts an execution cancelled while queued by status, with no latency', async () => {
    const f = await setup({
      app: { plugins: [createDashboard({ bucketSeconds: 60, windowMinutes: 2 })] },
      orchestrator: { maxConcurrentWorkflows: 1 },
    });
    await define(f, 'long', [{ name: 'block' }]);
    await start(f, 'long');
    const queued = await start(f, 'long');
    expect(await f.orch.workflowEngine.cancelWorkflow(queued)).toBe(true);
    await f.orch.workflowEngine.waitForCompletion(queued, { timeout: 5 });
    const { cookie } = await signIn(f);
    const s = (await f.app.inject({ url: '/ui/series.json', headers: { cookie } })).json();
    expect(s.cancelled.reduce((a: number, b: number) => a + b, 0)).toBe(1);
    expect(s.avgMs.every((v: number | null) => v === null)).toBe(true);
  });
});

describe('assets', () => {
  it('serves the fixed asset table without a session, and nothing else', async () => {
    const f = await dashboard();
    const types: Record<string, RegExp> = {
      'htmx.min.js': /javascript/,
      'uPlot.iife.min.js': /javascript/,
      'uPlot.min.css': /text\/css/,
      'dashboard.js': /javascript/,
      'dashboard.css': /text\/css/,
    };
    for (const [name, type] of Object.entries(types)) {
      const res = await f.app.inject({ url: `/assets/${name}` });
      expect(res.statusCode, name).toBe(200);
      expect(res.headers['content-type']).toMatch(type);
      expect(res.body.length).toBeGreaterThan(100);
    }
    for (const url of [
      '/assets/..%2F..%2Fpackage.json',
      '/assets/index.ts',
      '/assets/constructor',
      '/assets/__proto__',
    ]) {
      const res = await f.app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      // The envelope of every other unknown path, not a bare text body.
      expect(envelope(res).code, url).toBe('NOT_FOUND');
    }
  });

  it('lets a browser cache the assets for 5 minutes (pages and fragments are never cached)', async () => {
    const f = await dashboard();
    for (const name of ['htmx.min.js', 'dashboard.js', 'dashboard.css']) {
      const res = await f.app.inject({ url: `/assets/${name}` });
      expect(res.headers['cache-control'], name).toBe('public, max-age=300');
    }
    expect((await f.app.inject({ url: '/login' })).headers['cache-control']).toBe('no-store');
  });

  it('keeps the API and its bearer auth as they were', async () => {
    const f = await dashboard();
    expect((await f.app.inject({ url: '/v1/workflows' })).statusCode).toBe(401);
    expect((await f.call({ url: '/v1/workflows' })).statusCode).toBe(200);
    expect((await f.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    // The OpenAPI document describes the JSON API only.
    const paths = Object.keys((await f.app.inject({ url: '/openapi.json' })).json().paths);
    expect(paths).toContain('/v1/executions/{id}/cancel');
    expect(paths.filter((p) => !p.startsWith('/v1/'))).toEqual([
      '/healthz',
      '/readyz',
      '/openapi.json',
      '/metrics',
    ]);
  });
});

describe('overview with no finished execution', () => {
  // The compensation rate is over finished executions: with none it showed 0.0% beside the
  // success rate's '–', read as 'none compensated'; it shows '–' too.
  it("shows '–' for the rates over finished executions", async () => {
    const f = await dashboard();
    const { cookie } = await signIn(f);
    const page = await f.app.inject({ url: '/ui/overview', headers: { cookie, 'hx-request': 'true' } });
    expect(page.statusCode).toBe(200);
    const value = (id: string) =>
      new RegExp(
        `data-stat="${id}">\\s*<div class="stat-label">[^<]*</div>\\s*<div class="stat-value">([^<]*)</div>`,
      ).exec(page.body)?.[1];
    expect(value('success-rate')).toBe('–');
    expect(value('compensation-rate')).toBe('–');
  });
});

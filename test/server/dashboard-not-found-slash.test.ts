/**
 * A dashboard address with a trailing slash: `/workflows/` and `/executions/` were read as the
 * page of a workflow or execution whose id is empty (a 400 'Invalid getWorkflow arguments: id:
 * Expected `id` to be a non-empty string', a 404 'Execution '' does not exist'), and `/workers/`
 * answered 'No page at /workers/.' with no word of the slash. Each now answers the 404 page
 * naming the path and the page without the slash: 'Did you mean /workflows?'.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDashboard } from '../../src/index.js';
import { CONTENT_SECURITY_POLICY } from '../../src/server/dashboard/index.js';
import { closeAll, envelope, setup, signedInCookie } from './helpers.js';

afterEach(closeAll);

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

describe('a dashboard path with a trailing slash', () => {
  it('answers the 404 page with the path without the slash, signed in or not', async () => {
    const f = await setup({ app: { plugins: [createDashboard()] } });
    const cookie = await signedInCookie(f);
    for (const [url, bare] of [
      ['/workflows/', '/workflows'],
      ['/executions/', '/executions'],
      ['/workers/', '/workers'],
      ['/executions//', '/executions'],
      ['/executions/?status=failed&page=2', '/executions'],
    ] as const) {
      for (const headers of [{ accept: BROWSER, cookie }, { accept: BROWSER }]) {
        const res = await f.app.inject({ url, headers });
        expect(res.statusCode, url).toBe(404);
        expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
        expect(res.body).toContain(`No page at ${url.split('?')[0]}.`);
        // The link keeps the query (escaped in the attribute); the text shows the path.
        const query = url.includes('?') ? url.slice(url.indexOf('?')).replace('&', '&amp;') : '';
        expect(res.body).toContain(`Did you mean <a href="${bare}${query}">${bare}</a>?`);
      }
    }
  });

  it('says nothing more when the path without the slash is no page either', async () => {
    const f = await setup({ app: { plugins: [createDashboard()] } });
    const nope = await f.app.inject({ url: '/nope/', headers: { accept: BROWSER } });
    expect(nope.statusCode).toBe(404);
    expect(nope.body).toContain('No page at /nope/.');
    expect(nope.body).not.toContain('Did you mean');
    // `/logout` answers POST only: no page to send a browser to.
    const logout = await f.app.inject({ url: '/logout/', headers: { accept: BROWSER } });
    expect(logout.statusCode).toBe(404);
    expect(logout.body).not.toContain('Did you mean');
  });

  it('keeps the pages of a workflow and an execution, and their own 404s', async () => {
    const f = await setup({ app: { plugins: [createDashboard()] } });
    const cookie = await signedInCookie(f);
    expect((await f.app.inject({ url: '/workflows', headers: { accept: BROWSER, cookie } })).statusCode).toBe(
      200,
    );
    const missing = await f.app.inject({ url: '/executions/exec_x', headers: { accept: BROWSER, cookie } });
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('does not exist');
  });

  it('gives an API client the JSON 404 with the hint', async () => {
    const f = await setup({ app: { plugins: [createDashboard()] } });
    const res = await f.app.inject({ url: '/workflows/', headers: { accept: 'application/json' } });
    expect(res.statusCode).toBe(404);
    expect(envelope(res)).toEqual({
      code: 'NOT_FOUND',
      message: 'Route GET /workflows/ not found (a route is at /workflows, without the trailing slash)',
    });
  });
});

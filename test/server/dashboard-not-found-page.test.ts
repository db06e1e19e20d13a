/**
 * A mistyped dashboard address in a browser (a GET outside `/v1` whose Accept names text/html)
 * answers a 404 HTML page of the dashboard, with its security headers (it answered the API's
 * JSON 404, shown raw in the browser); API clients, `/v1` paths and an app without the dashboard
 * keep the JSON 404.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDashboard } from '../../src/index.js';
import { CONTENT_SECURITY_POLICY } from '../../src/server/dashboard/index.js';
import { closeAll, envelope, setup, signedInCookie } from './helpers.js';

afterEach(closeAll);

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

describe('unknown path', () => {
  it('answers a browser an HTML 404 page naming the path, escaped, with the security headers', async () => {
    const f = await setup({ app: { plugins: [createDashboard()] } });
    const res = await f.app.inject({
      method: 'GET',
      url: '/workflowz/x&y=<b>?q=1',
      headers: { accept: BROWSER },
    });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body).toContain('<h1>Not found</h1>');
    expect(res.body).toContain('No page at /workflowz/x&amp;y=%3Cb%3E.');
    expect(res.body).not.toContain('x&y');
    // Not signed in: the bare page, no navigation.
    expect(res.body).not.toContain('class="topbar"');
    const head = await f.app.inject({ method: 'HEAD', url: '/nowhere', headers: { accept: BROWSER } });
    expect(head.statusCode).toBe(404);
    expect(head.headers['content-type']).toBe('text/html; charset=utf-8');
  });

  it('shows the signed-in user the page with the navigation', async () => {
    const f = await setup({ app: { plugins: [createDashboard()] } });
    const cookie = await signedInCookie(f);
    const res = await f.app.inject({
      method: 'GET',
      url: '/executionz',
      headers: { accept: BROWSER, cookie },
    });
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('class="topbar"');
    expect(res.body).toContain('No page at /executionz');
  });

  it('keeps the JSON 404 for API clients, /v1 paths, other methods and an app without the dashboard', async () => {
    const f = await setup({ app: { plugins: [createDashboard()] } });
    const plain = await setup();
    const answers = await Promise.all([
      f.app.inject({ method: 'GET', url: '/nowhere' }),
      f.app.inject({ method: 'GET', url: '/nowhere', headers: { accept: 'application/json' } }),
      f.app.inject({ method: 'GET', url: '/nowhere', headers: { accept: '*/*' } }),
      f.call({ method: 'GET', url: '/v1/nowhere', headers: { accept: BROWSER } }),
      f.app.inject({ method: 'DELETE', url: '/nowhere', headers: { accept: BROWSER } }),
      plain.app.inject({ method: 'GET', url: '/nowhere', headers: { accept: BROWSER } }),
    ]);
    for (const res of answers) {
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(envelope(res).code).toBe('NOT_FOUND');
    }
  });
});

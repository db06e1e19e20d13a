/**
 * A dashboard address asked in a browser with a method it does not serve (typing /logout, a
 * POST-only route, into the address bar) answers a 405 HTML page of the dashboard with the `Allow`
 * header and the security headers (it answered the API's JSON 405, shown raw in the browser); API
 * clients, `/v1` paths and an app without the dashboard keep the JSON 405.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDashboard } from '../../src/index.js';
import { CONTENT_SECURITY_POLICY } from '../../src/server/dashboard/index.js';
import { closeAll, envelope, setup, signedInCookie } from './helpers.js';

afterEach(closeAll);

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

describe('known path, wrong method, in a browser', () => {
  it('answers an HTML 405 page naming the path and the methods it takes, with Allow and the security headers', async () => {
    const f = await setup({ app: { plugins: [createDashboard()] } });
    const res = await f.app.inject({ method: 'GET', url: '/logout?x=<b>', headers: { accept: BROWSER } });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('OPTIONS, POST');
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body).toContain('<h1>Method not allowed</h1>');
    expect(res.body).toContain('/logout does not answer GET; it answers OPTIONS, POST.');
    expect(res.body).not.toContain('<b>');
    expect(res.body).not.toContain('class="topbar"');
    const head = await f.app.inject({ method: 'HEAD', url: '/logout', headers: { accept: BROWSER } });
    expect(head.statusCode).toBe(405);
    expect(head.headers.allow).toBe('OPTIONS, POST');
    expect(head.headers['content-type']).toBe('text/html; charset=utf-8');
  });

  it('shows the signed-in user the page with the navigation', async () => {
    const f = await setup({ app: { plugins: [createDashboard()] } });
    const cookie = await signedInCookie(f);
    const res = await f.app.inject({ method: 'GET', url: '/logout', headers: { accept: BROWSER, cookie } });
    expect(res.statusCode).toBe(405);
    expect(res.body).toContain('class="topbar"');
    expect(res.body).toContain('/logout does not answer GET');
  });

  it('keeps the JSON 405 for API clients, /v1 paths, other methods and an app without the dashboard', async () => {
    const f = await setup({ app: { plugins: [createDashboard()] } });
    const plain = await setup();
    const answers = await Promise.all([
      f.app.inject({ method: 'GET', url: '/logout' }),
      f.app.inject({ method: 'GET', url: '/logout', headers: { accept: 'application/json' } }),
      f.app.inject({ method: 'GET', url: '/logout', headers: { accept: '*/*' } }),
      f.call({ method: 'DELETE', url: '/v1/workflows', headers: { accept: BROWSER } }),
      f.app.inject({ method: 'DELETE', url: '/login', headers: { accept: BROWSER } }),
      plain.app.inject({ method: 'POST', url: '/healthz', headers: { accept: BROWSER } }),
    ]);
    for (const res of answers) {
      expect(res.statusCode).toBe(405);
      expect(res.headers.allow).toBeDefined();
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(envelope(res).code).toBe('METHOD_NOT_ALLOWED');
    }
  });
});

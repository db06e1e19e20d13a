/**
 * A browser that opens an address the router cannot read (a malformed percent-encoding) or an
 * asset the dashboard does not have got the API's JSON error, shown raw; it now gets a page of the
 * dashboard with the same status. API clients, `/v1` paths and an app without the dashboard keep
 * the JSON.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDashboard } from '../../src/index.js';
import { CONTENT_SECURITY_POLICY } from '../../src/server/dashboard/index.js';
import { closeAll, envelope, setup, signedInCookie } from './helpers.js';

afterEach(closeAll);

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

describe('an address the router refuses', () => {
  it('answers a browser a 400 page with the security headers', async () => {
    const f = await setup({ app: { plugins: [createDashboard()] } });
    const res = await f.app.inject({ url: '/executions/%E0%A4%A', headers: { accept: BROWSER } });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body).toContain('<h1>Bad request</h1>');
    expect(res.body).toContain('Request URL is malformed (bad percent-encoding).');
    expect(res.body).not.toContain('class="topbar"');
  });

  it('shows the signed-in user the navigation', async () => {
    const f = await setup({ app: { plugins: [createDashboard()] } });
    const cookie = await signedInCookie(f);
    const res = await f.app.inject({ url: '/workflows/%', headers: { accept: BROWSER, cookie } });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('class="topbar"');
  });

  it('keeps the JSON 400 for API clients, /v1 paths, POST and an app without the dashboard', async () => {
    const f = await setup({ app: { plugins: [createDashboard()] } });
    const plain = await setup();
    const answers = await Promise.all([
      f.app.inject({ url: '/executions/%' }),
      f.app.inject({ url: '/executions/%', headers: { accept: 'application/json' } }),
      f.call({ url: '/v1/executions/%', headers: { accept: BROWSER } }),
      f.app.inject({ method: 'POST', url: '/executions/%', headers: { accept: BROWSER } }),
      plain.app.inject({ url: '/executions/%', headers: { accept: BROWSER } }),
    ]);
    for (const res of answers) {
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(envelope(res).code).toBe('BAD_REQUEST');
    }
  });
});

describe('an asset the dashboard does not have', () => {
  it('answers a browser the 404 page, and others the JSON 404', async () => {
    const f = await setup({ app: { plugins: [createDashboard()] } });
    const page = await f.app.inject({ url: '/assets/nope.js?v=1', headers: { accept: BROWSER } });
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(page.body).toContain('No page at /assets/nope.js.');
    const json = await f.app.inject({ url: '/assets/nope.js', headers: { accept: '*/*' } });
    expect(json.statusCode).toBe(404);
    expect(envelope(json)).toEqual({ code: 'NOT_FOUND', message: 'Route GET /assets/nope.js not found' });
    const real = await f.app.inject({ url: '/assets/dashboard.js', headers: { accept: BROWSER } });
    expect(real.statusCode).toBe(200);
  });
});

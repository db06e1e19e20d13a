/**
 * Where sign-in goes next when that address holds characters a `Location` header cannot carry
 * (non-ASCII, spaces): percent-encoded, on a real HTTP server (`inject` does not check header
 * values, Node's `http` does).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDashboard } from '../../src/server/dashboard/index.js';
import { safeNext } from '../../src/server/dashboard/pages/login.js';
import { closeAll, setup, TOKEN } from './helpers.js';

afterEach(closeAll);

describe('sign-in with a non-ASCII next address', () => {
  it('percent-encodes it instead of failing the sign-in with a 500', async () => {
    const f = await setup({ app: { plugins: [createDashboard()] } });
    const base = await f.app.listen({ port: 0, host: '127.0.0.1' });
    const next = '/executions?workflowId=注文 €';
    const res = await fetch(`${base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${encodeURIComponent(TOKEN)}&next=${encodeURIComponent(next)}`,
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/executions?workflowId=%E6%B3%A8%E6%96%87%20%E2%82%AC');
    const cookie = res.headers.get('set-cookie')?.split(';')[0];
    expect(cookie).toMatch(/^orch_session=/);
    // Signed in already, the form sends the user on at once: the same address.
    const again = await fetch(`${base}/login?next=${encodeURIComponent('/workflows/ü€')}`, {
      redirect: 'manual',
      headers: { cookie: cookie ?? '' },
    });
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe('/workflows/%C3%BC%E2%82%AC');
  });

  it('keeps ASCII addresses as they are and refuses a lone surrogate', () => {
    expect(safeNext('/executions?status=failed&x=%41')).toBe('/executions?status=failed&x=%41');
    expect(safeNext('/a b')).toBe('/a%20b');
    expect(safeNext('/x\uD800')).toBe('/');
  });
});

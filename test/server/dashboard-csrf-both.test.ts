/**
 * A dashboard POST carrying the CSRF token twice, as the `x-csrf-token` header (htmx sends the one
 * the page got when it loaded) and the `_csrf` form field (rendered with the form), is accepted when
 * either is this session's token: a stale one beside it (a page opened in an earlier session, a
 * fragment of one) does not refuse it. A request with no valid token is still a 403.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDashboard } from '../../src/server/dashboard/index.js';
import { closeAll, define, type Fixture, setup, signedInCookie, start, until } from './helpers.js';

afterEach(closeAll);

const FORM = { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' };

async function csrfOf(f: Fixture, cookie: string): Promise<string> {
  const page = await f.app.inject({ url: '/', headers: { cookie } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  if (!csrf) throw new Error('no csrf token on the page');
  return csrf;
}

async function running(f: Fixture): Promise<string> {
  const id = await start(f, 'blocking');
  await until(async () => (await f.orch.workflowEngine.getExecutionStatus(id))?.status === 'running');
  return id;
}

describe('dashboard CSRF token in both header and form field', () => {
  it('accepts either valid one beside a stale one, and refuses when neither is valid', async () => {
    const f = await setup({ app: { plugins: [createDashboard()] } });
    await define(f, 'blocking', [{ name: 'wait', action: 'block' }]);
    // The page was opened in an earlier session; the user signed in again since.
    const stale = await csrfOf(f, await signedInCookie(f));
    const cookie = await signedInCookie(f);
    const fresh = await csrfOf(f, cookie);
    expect(fresh).not.toBe(stale);

    const cancel = (id: string, header: string, field: string) =>
      f.app.inject({
        method: 'POST',
        url: `/executions/${id}/cancel`,
        headers: { ...FORM, cookie, 'x-csrf-token': header },
        payload: `_csrf=${encodeURIComponent(field)}`,
      });

    const staleHeader = await running(f);
    expect((await cancel(staleHeader, stale, fresh)).statusCode).toBe(303);
    expect((await f.orch.workflowEngine.getExecutionStatus(staleHeader))?.status).toBe('cancelled');

    const staleField = await running(f);
    expect((await cancel(staleField, fresh, stale)).statusCode).toBe(303);
    expect((await f.orch.workflowEngine.getExecutionStatus(staleField))?.status).toBe('cancelled');

    const neither = await running(f);
    for (const [header, field] of [
      [stale, stale],
      ['wrong', stale],
      [stale, ''],
    ] as const) {
      const res = await cancel(neither, header, field);
      expect(res.statusCode, `${header} / ${field}`).toBe(403);
      expect(res.body).toContain('Missing or invalid CSRF token.');
    }
    expect((await f.orch.workflowEngine.getExecutionStatus(neither))?.status).toBe('running');
  });
});

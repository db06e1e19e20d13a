/**
 * The dashboard's pages that read the store for something this node may know already waited
 * without bound on a store that does not answer, as `GET /metrics` did: the workflows list,
 * a workflow's page (and its figures from the store, `?source=store`), the executions page (its
 * workflow filter) and the workers page and fragment.
 * They now wait at most a second on the orchestrator's clock, then answer as on a store error:
 * with the workflows this node knows, or a 503 page when what they show needs the store (the
 * node registry, a workflow unknown here).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeClock } from '../../src/index.js';
import { createDashboard } from '../../src/server/dashboard/index.js';
import { closeAll, type Fixture, TOKEN } from './helpers.js';
import { answerAfterWait, hungStore, releaseHungStores } from './hung-store.js';

afterEach(async () => {
  releaseHungStores();
  await closeAll();
});

async function signIn(f: Fixture): Promise<string> {
  const res = await f.app.inject({
    method: 'POST',
    url: '/login',
    payload: `token=${encodeURIComponent(TOKEN)}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  expect(res.statusCode).toBe(303);
  return String(res.headers['set-cookie']).split(';')[0] as string;
}

const dashboard = { plugins: [createDashboard()] };

/** The page at `url`, signed in with `cookie`, once the orchestrator's clock went past its wait. */
function pageAfterWait(
  { clock, f }: { clock: FakeClock; f: Fixture },
  cookie: string,
  url: string,
  headers: Record<string, string> = {},
) {
  return answerAfterWait(clock, f.app.inject({ url, headers: { cookie, ...headers } }));
}

/** A 503 page, as on a store error. */
function expectUnavailable(res: { statusCode: number; body: string }): void {
  expect(res.statusCode).toBe(503);
  expect(res.body).toContain('The store is unavailable; try again later');
}

describe('dashboard pages while the store does not answer', () => {
  it('lists the workflows this node knows within a second: the workflows page and the executions filter', async () => {
    const hung = await hungStore('listDefinitions', dashboard);
    const cookie = await signIn(hung.f);
    const workflows = await pageAfterWait(hung, cookie, '/workflows');
    expect(workflows.statusCode).toBe(200);
    expect(workflows.body).toContain('data-workflow="known"');
    expect(hung.calls.count).toBe(1);
    const executions = await pageAfterWait(hung, cookie, '/executions');
    expect(executions.statusCode).toBe(200);
    expect(executions.body).toContain('<option value="known">known</option>');
  });

  it('shows a workflow known here within a second, and a 503 page for one it does not know', async () => {
    const hung = await hungStore('listDefinitions', dashboard);
    const cookie = await signIn(hung.f);
    const known = await pageAfterWait(hung, cookie, '/workflows/known');
    expect(known.statusCode).toBe(200);
    expect(known.body).toContain('Workflow <span class="mono">known</span>');
    expectUnavailable(await pageAfterWait(hung, cookie, '/workflows/elsewhere'));
  });

  it('answers the workers page and its fragment with a 503 within a second, as on a store error', async () => {
    const hung = await hungStore('listNodes', dashboard);
    const cookie = await signIn(hung.f);
    expectUnavailable(await pageAfterWait(hung, cookie, '/workers'));
    expectUnavailable(await pageAfterWait(hung, cookie, '/ui/workers', { 'hx-request': 'true' }));
  });

  it("answers a workflow's figures from the store with a 503 page within a second; its own figures need no store", async () => {
    const hung = await hungStore('listExecutions', dashboard);
    const cookie = await signIn(hung.f);
    const own = await hung.f.app.inject({ url: '/workflows/known', headers: { cookie } });
    expect(own.statusCode).toBe(200);
    expect(hung.calls.count).toBe(0);
    expectUnavailable(await pageAfterWait(hung, cookie, '/workflows/known?source=store'));
    expect(hung.calls.count).toBeGreaterThan(0);
  });
});

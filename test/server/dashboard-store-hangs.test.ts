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

describe('dashboard pages while the store does not answer', () => {
  it('lists the workflows this node knows within a second: the workflows page and the executions filter', async () => {
    const { clock, f, calls } = await hungStore('listDefinitions', dashboard);
    const cookie = await signIn(f);
    const workflows = await answerAfterWait(clock, f.app.inject({ url: '/workflows', headers: { cookie } }));
    expect(workflows.statusCode).toBe(200);
    expect(workflows.body).toContain('data-workflow="known"');
    expect(calls.count).toBe(1);
    const executions = await answerAfterWait(
      clock,
      f.app.inject({ url: '/executions', headers: { cookie } }),
    );
    expect(executions.statusCode).toBe(200);
    expect(executions.body).toContain('<option value="known">known</option>');
  });

  it('shows a workflow known here within a second, and a 503 page for one it does not know', async () => {
    const { clock, f } = await hungStore('listDefinitions', dashboard);
    const cookie = await signIn(f);
    const known = await answerAfterWait(
      clock,
      f.app.inject({ url: '/workflows/known', headers: { cookie } }),
    );
    expect(known.statusCode).toBe(200);
    expect(known.body).toContain('Workflow <span class="mono">known</span>');
    const unknown = await answerAfterWait(
      clock,
      f.app.inject({ url: '/workflows/elsewhere', headers: { cookie } }),
    );
    expect(unknown.statusCode).toBe(503);
    expect(unknown.body).toContain('The store is unavailable; try again later');
  });

  it('answers the workers page and its fragment with a 503 within a second, as on a store error', async () => {
    const { clock, f } = await hungStore('listNodes', dashboard);
    const cookie = await signIn(f);
    const page = await answerAfterWait(clock, f.app.inject({ url: '/workers', headers: { cookie } }));
    expect(page.statusCode).toBe(503);
    expect(page.body).toContain('The store is unavailable; try again later');
    const fragment = await answerAfterWait(
      clock,
      f.app.inject({ url: '/ui/workers', headers: { cookie, 'hx-request': 'true' } }),
    );
    expect(fragment.statusCode).toBe(503);
    expect(fragment.body).toContain('The store is unavailable; try again later');
  });

  it("answers a workflow's figures from the store with a 503 page within a second; its own figures need no store", async () => {
    const { clock, f, calls } = await hungStore('listExecutions', dashboard);
    const cookie = await signIn(f);
    const own = await f.app.inject({ url: '/workflows/known', headers: { cookie } });
    expect(own.statusCode).toBe(200);
    expect(calls.count).toBe(0);
    const stored = await answerAfterWait(
      clock,
      f.app.inject({ url: '/workflows/known?source=store', headers: { cookie } }),
    );
    expect(stored.statusCode).toBe(503);
    expect(stored.body).toContain('The store is unavailable; try again later');
    expect(calls.count).toBeGreaterThan(0);
  });
});

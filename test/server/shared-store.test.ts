/**
 * Two services on one durable store (several nodes behind a load balancer): a workflow defined
 * through one is listed, shown on the dashboard, offered as an executions filter and labelled in
 * the Prometheus metrics by the other.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/index.js';
import { createDashboard } from '../../src/server/dashboard/index.js';
import { tempSqliteUrl } from '../helpers/orchestrator.js';
import { AUTH, closeAll, define, setup } from './helpers.js';

afterEach(closeAll);

const signIn = async (f: Awaited<ReturnType<typeof setup>>) => {
  const res = await f.app.inject({
    method: 'POST',
    url: '/login',
    payload: `token=${encodeURIComponent(AUTH.authorization.slice('Bearer '.length))}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  return String(res.headers['set-cookie']).split(';')[0] ?? '';
};

describe('a workflow defined through another service on the same store', () => {
  it('is listed by GET /v1/workflows and shown on the dashboard', async () => {
    const store = tempSqliteUrl();
    const clock = new FakeClock();
    const options = {
      orchestrator: { store, sweepInterval: 0.05, clock },
      app: { plugins: [createDashboard()] },
    };
    const a = await setup(options);
    const b = await setup(options);
    await define(a, 'early', [{ name: 'greet' }]);
    await clock.advance(50); // past the re-read interval of the definitions (sweepInterval)
    await define(a, 'late', [{ name: 'greet' }]);
    await define(a, 'early', [{ name: 'greet' }, { name: 'reserve' }]);
    await clock.advance(50); // past the re-read interval of the definitions (sweepInterval)

    const listed = await b.call({ url: '/v1/workflows' });
    expect(listed.statusCode).toBe(200);
    const workflows = (listed.json() as { workflows: { id: string; version: number }[] }).workflows;
    expect(workflows.map((w) => [w.id, w.version])).toEqual([
      ['early', 2],
      ['late', 1],
    ]);

    const cookie = await signIn(b);
    const page = await b.app.inject({ url: '/workflows/late', headers: { cookie } });
    expect(page.statusCode).toBe(200);
    const list = await b.app.inject({ url: '/workflows', headers: { cookie } });
    expect(list.body).toContain('/workflows/late');
    // Defined a moment ago: its page reads it from the store at once.
    await define(a, 'later', [{ name: 'greet' }]);
    const fresh = await b.app.inject({ url: '/workflows/later', headers: { cookie } });
    expect(fresh.statusCode).toBe(200);
    const missing = await b.app.inject({ url: '/workflows/never', headers: { cookie } });
    expect(missing.statusCode).toBe(404);
  });

  it('is a label of the Prometheus metrics and a choice of the executions filter', async () => {
    const store = tempSqliteUrl();
    const clock = new FakeClock();
    const options = {
      orchestrator: { store, sweepInterval: 0.05, clock },
      app: { plugins: [createDashboard()] },
    };
    const a = await setup(options);
    const b = await setup(options);
    // b has read the definitions once (its first scrape), before a defines the workflow.
    await b.app.inject({ url: '/metrics' });
    await clock.advance(50); // past the re-read interval of the definitions (sweepInterval)
    await define(a, 'elsewhere', [{ name: 'greet' }]);
    await clock.advance(50); // past the re-read interval of the definitions (sweepInterval)

    const cookie = await signIn(b);
    const page = await b.app.inject({ url: '/executions', headers: { cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<option value="elsewhere">elsewhere</option>');
    await define(a, 'later', [{ name: 'greet' }]);
    await clock.advance(50); // past the re-read interval of the definitions (sweepInterval)
    const metrics = await b.app.inject({ url: '/metrics' });
    for (const id of ['elsewhere', 'later']) {
      expect(metrics.body).toContain(
        `orchestrator_executions_by_status{workflow="${id}",status="completed"}`,
      );
    }
  });
});

describe('a version a newer release defined on the same store', () => {
  it('is listed and shown as stored; starting it is a 409 naming what this release does not know', async () => {
    const store = tempSqliteUrl();
    const clock = new FakeClock();
    const options = {
      orchestrator: { store, sweepInterval: 0.05, clock },
      app: { plugins: [createDashboard()] },
    };
    const a = await setup(options);
    await define(a, 'signup', [{ name: 'greet' }]);
    // Stored by a node of a newer release, with a step kind this one does not know.
    const steps = [{ name: 'greet' }, { name: 'approval', awaitSignal: 'approved' }];
    await a.orch.store.saveDefinition({
      id: 'signup',
      version: 2,
      steps,
      options: {},
      createdAt: Date.now(),
    });
    await clock.advance(50); // past the re-read interval of the definitions (sweepInterval)

    const listed = await a.call({ url: '/v1/workflows' });
    expect(listed.statusCode).toBe(200);
    expect(listed.json()).toMatchObject({ workflows: [{ id: 'signup', version: 2, steps }] });
    const got = await a.call({ url: '/v1/workflows/signup' });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({ version: 2, steps });
    const cookie = await signIn(a);
    expect((await a.app.inject({ url: '/workflows/signup', headers: { cookie } })).statusCode).toBe(200);

    const started = await a.call({ method: 'POST', url: '/v1/workflows/signup/executions', payload: {} });
    expect(started.statusCode).toBe(409);
    expect(started.json()).toMatchObject({ error: { code: 'CONFLICT' } });
    expect(started.body).toContain('steps[1].awaitSignal');
  });
});

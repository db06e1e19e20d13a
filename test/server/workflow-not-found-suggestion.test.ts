/**
 * Every route given a workflow id nothing defines answers the same 404, naming the defined workflow
 * the id most likely stood for: the metrics, the performance report and the dashboard's workflow
 * page, as `GET /v1/workflows/:id` does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDashboard } from '../../src/server/dashboard/index.js';
import { closeAll, define, envelope, setup, signedInCookie } from './helpers.js';

afterEach(closeAll);

const MEANT = "Workflow 'user-registraton' is not defined (did you mean 'user-registration'?)";

describe('a misspelt workflow id', () => {
  it('is answered with the closest defined id by metrics, performance and the dashboard', async () => {
    const f = await setup({ app: { plugins: [createDashboard({ nodes: () => [] })] } });
    await define(f, 'user-registration', [{ name: 'greet' }]);
    for (const url of [
      '/v1/metrics?workflowId=user-registraton',
      '/v1/workflows/user-registraton/performance',
    ]) {
      const res = await f.call({ url });
      expect(res.statusCode, url).toBe(404);
      expect(envelope(res), url).toEqual({ code: 'WORKFLOW_NOT_FOUND', message: MEANT });
    }
    const cookie = await signedInCookie(f);
    const page = await f.app.inject({ url: '/workflows/user-registraton', headers: { cookie } });
    expect(page.statusCode).toBe(404);
    expect(page.body).toContain('did you mean &#39;user-registration&#39;?');
  });

  it('names nothing when no defined id is close', async () => {
    const f = await setup();
    await define(f, 'user-registration', [{ name: 'greet' }]);
    const res = await f.call({ url: '/v1/workflows/billing/performance' });
    expect(res.statusCode).toBe(404);
    expect(envelope(res).message).toBe("Workflow 'billing' is not defined");
  });
});

/**
 * The retry rate is over steps run: with none run it showed 0.0 % on the overview and a workflow's
 * page, read as 'no step needed a retry', beside success and compensation rates that show '–'
 * while nothing finished. It shows '–' too, from the `stepsRun` count `getMetrics()` now carries
 * (also in `GET /v1/metrics`).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDashboard } from '../../src/server/dashboard/index.js';
import { closeAll, define, type Fixture, setup, signedInCookie, start } from './helpers.js';

afterEach(closeAll);

async function statValue(f: Fixture, url: string, id: string): Promise<string | undefined> {
  const page = await f.app.inject({
    url,
    headers: { cookie: await signedInCookie(f), 'hx-request': 'true' },
  });
  expect(page.statusCode).toBe(200);
  return new RegExp(
    `data-stat="${id}">\\s*<div class="stat-label">[^<]*</div>\\s*<div class="stat-value">([^<]*)</div>`,
  ).exec(page.body)?.[1];
}

describe('retry rate with no step run', () => {
  it("shows '–' on the overview and the workflow page", async () => {
    const f = await setup({ app: { plugins: [createDashboard()] } });
    await define(f, 'hello', [{ name: 'greet' }]);
    expect(f.orch.getMetrics().stepsRun).toBe(0);
    expect(await statValue(f, '/ui/overview', 'retry-rate')).toBe('–');
    expect(await statValue(f, '/workflows/hello', 'retry-rate')).toBe('–');
  });

  it('shows the rate once a step ran, and getMetrics() and GET /v1/metrics count the steps run', async () => {
    const f = await setup({ app: { plugins: [createDashboard()] } });
    await define(f, 'hello', [{ name: 'greet' }, { name: 'greet2', action: 'greet' }]);
    await f.orch.workflowEngine.waitForCompletion(await start(f, 'hello'), { timeout: 5 });
    expect(f.orch.getMetrics().stepsRun).toBe(2);
    expect(f.orch.getMetrics('hello').stepsRun).toBe(2);
    expect(f.orch.getMetrics('other').stepsRun).toBe(0);
    expect((await f.call({ url: '/v1/metrics' })).json().stepsRun).toBe(2);
    expect(await statValue(f, '/ui/overview', 'retry-rate')).toBe('0.0 %');
    expect(await statValue(f, '/workflows/hello', 'retry-rate')).toBe('0.0 %');
  });
});

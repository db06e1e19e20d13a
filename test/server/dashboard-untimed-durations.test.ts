/**
 * The average and p95 execution times are of the executions this process ran (README): after a
 * restart, or when every finished execution ended while still queued, there are none, yet the
 * overview showed '0 ms' for both — read as 'executions take no time' — because it asked whether
 * any execution had finished (store-wide) rather than whether any was timed. `getMetrics()` now
 * carries `durationSample` (the executions the average and p95 are taken over, as the CLI's
 * `metrics --json` does), and the overview shows '–' while it is 0.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createOrchestrator } from '../../src/index.js';
import { createDashboard } from '../../src/server/dashboard/index.js';
import { tempSqliteUrl } from '../helpers/orchestrator.js';
import { closeAll, define, type Fixture, setup, signedInCookie, start } from './helpers.js';

afterEach(closeAll);

async function statValue(f: Fixture, id: string): Promise<string | undefined> {
  const page = await f.app.inject({
    url: '/ui/overview',
    headers: { cookie: await signedInCookie(f), 'hx-request': 'true' },
  });
  expect(page.statusCode).toBe(200);
  return new RegExp(
    `data-stat="${id}">\\s*<div class="stat-label">[^<]*</div>\\s*<div class="stat-value">([^<]*)</div>`,
  ).exec(page.body)?.[1];
}

describe('average and p95 execution times with no execution timed here', () => {
  it("show '–' after a restart, with the finished executions of the earlier run counted", async () => {
    const store = tempSqliteUrl();
    const first = await createOrchestrator({ store, actions: { greet: () => 'hi' } });
    await first.workflowEngine.defineWorkflow('hello', [{ name: 'greet' }]);
    await first.workflowEngine.waitForCompletion(await first.workflowEngine.executeWorkflow('hello'));
    expect(first.getMetrics().durationSample).toBe(1);
    await first.close();

    const f = await setup({ orchestrator: { store }, app: { plugins: [createDashboard()] } });
    const m = f.orch.getMetrics();
    expect(m.executions.completed).toBe(1);
    expect([m.avgExecutionMs, m.p95ExecutionMs, m.durationSample]).toEqual([0, 0, 0]);
    expect((await f.call({ url: '/v1/metrics' })).json().durationSample).toBe(0);
    expect(await statValue(f, 'avg')).toBe('–');
    expect(await statValue(f, 'p95')).toBe('–');

    await f.orch.workflowEngine.waitForCompletion(await start(f, 'hello'), { timeout: 5 });
    expect(f.orch.getMetrics().durationSample).toBe(1);
    expect(f.orch.getMetrics('hello').durationSample).toBe(1);
    expect(f.orch.getMetrics('other').durationSample).toBe(0);
    expect(await statValue(f, 'avg')).toMatch(/^\d+ ms$/);
  });

  it("show '–' when the only finished execution was cancelled while queued", async () => {
    const f = await setup({
      orchestrator: { maxConcurrentWorkflows: 1 },
      app: { plugins: [createDashboard()] },
    });
    await define(f, 'long', [{ name: 'block' }]);
    await start(f, 'long');
    const queued = await start(f, 'long');
    expect(await f.orch.workflowEngine.cancelWorkflow(queued)).toBe(true);
    expect(f.orch.getMetrics().executions.cancelled).toBe(1);
    expect(f.orch.getMetrics().durationSample).toBe(0);
    expect(await statValue(f, 'avg')).toBe('–');
    expect(await statValue(f, 'p95')).toBe('–');
  });
});

/**
 * `GET /metrics` of an app built on an orchestrator that resumed executions as it started (as
 * `orchestrator serve` does after a restart): an execution that took its slot before the
 * exporter listened is counted as started, so `executions_started_total` is never below
 * `executions_finished_total` (started minus finished is the executions in flight). Alerts the
 * orchestrator raised before the exporter listened are counted in `alerts_total` too, once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { gate, registrationLeftRunning, tempSqliteUrl, withOrchestrator } from '../helpers/orchestrator.js';
import { parsePrometheusText } from '../helpers/prometheus-text.js';

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

const total = (text: string, family: string) =>
  parsePrometheusText(text)
    .get(family)
    ?.samples.reduce((n, s) => n + s.value, 0) ?? 0;

describe('GET /metrics after executions resumed at start', () => {
  it('counts an execution running when the app was built as started, once', async () => {
    const store = tempSqliteUrl();
    const resumed = await registrationLeftRunning(store);
    const hold = gate();
    const orch = await withOrchestrator({ store, actions: { register: () => hold.promise } });
    const app = await buildApp(orch, { token: 'test-token-0123456789abcdef' });
    closers.push(() => app.close());
    const later = await orch.workflowEngine.executeWorkflow('registration');

    const during = (await app.inject({ url: '/metrics' })).body;
    expect(total(during, 'orchestrator_executions_started_total')).toBe(2);
    expect(total(during, 'orchestrator_executions_finished_total')).toBe(0);

    hold.open();
    await orch.workflowEngine.waitForCompletion(resumed, { timeout: 5 });
    await orch.workflowEngine.waitForCompletion(later, { timeout: 5 });
    const after = (await app.inject({ url: '/metrics' })).body;
    expect(after).toContain('orchestrator_executions_started_total{workflow="registration"} 2');
    expect(after).toContain(
      'orchestrator_executions_finished_total{workflow="registration",status="completed"} 2',
    );
  });

  it('counts alerts raised before the app was built, once, with those raised after', async () => {
    const orch = await withOrchestrator({
      actions: { fail: () => Promise.reject(new Error('x')) },
      alerts: { failureRate: 0.1, minSamples: 1, cooldown: 0 },
    });
    await orch.workflowEngine.defineWorkflow('broken', [{ name: 'fail' }]);
    const run = async () =>
      orch.workflowEngine.waitForCompletion(await orch.workflowEngine.executeWorkflow('broken'), {
        timeout: 5,
      });
    await run();
    await run();
    expect(orch.getAlerts()).toHaveLength(2);

    const app = await buildApp(orch, { token: 'test-token-0123456789abcdef' });
    closers.push(() => app.close());
    const before = (await app.inject({ url: '/metrics' })).body;
    expect(before).toContain('orchestrator_alerts_total{type="failure_rate",severity="critical"} 2');

    await run();
    const after = (await app.inject({ url: '/metrics' })).body;
    expect(after).toContain('orchestrator_alerts_total{type="failure_rate",severity="critical"} 3');
    expect(total(after, 'orchestrator_alerts_total')).toBe(3);
  });
});

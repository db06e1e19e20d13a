/**
 * The retry rate (SPEC §5: steps that needed a retry / steps run) and the Prometheus
 * `step_retries_total` count a retry at the same moment: when a failed attempt schedules it (the
 * step needed it then), not when it starts. A retry that never ran — its execution cancelled or
 * timed out during the backoff — was counted by `step_retries_total` but not by `retryRate`.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { FakeClock } from '../../src/index.js';
import { PrometheusExporter } from '../../src/monitoring/prometheus.js';
import { finishWithClock, STORE_KINDS, storeUrl, withOrchestrator } from '../helpers/orchestrator.js';
import { parsePrometheusText } from '../helpers/prometheus-text.js';

describe.each(STORE_KINDS)('when a retry is counted (%s store)', (kind) => {
  it('counts a retry cancelled during its backoff in both the retry rate and step_retries_total', async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      clock,
      actions: { flaky: () => Promise.reject(new Error('transient')) },
    });
    const exporter = new PrometheusExporter(orch);
    onTestFinished(() => exporter.close());
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'flaky', retry: { initialDelay: 60 } }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await clock.advance(1000);
    expect((await orch.workflowEngine.getExecutionStatus(id))?.steps[0]?.status).toBe('waiting');
    const retries = async () =>
      (
        parsePrometheusText(await exporter.metrics()).get('orchestrator_step_retries_total')?.samples ?? []
      ).reduce((sum, s) => sum + s.value, 0);
    // Scheduled: both count it now.
    expect(await retries()).toBe(1);
    expect(orch.getMetrics().retryRate).toBe(1);
    await orch.workflowEngine.cancelWorkflow(id);
    const status = await finishWithClock(orch, clock, id);
    expect(status.status).toBe('cancelled');
    expect(status.steps[0]?.attempts).toBe(1);
    expect(await retries()).toBe(1);
    expect(orch.getMetrics()).toMatchObject({ stepsRun: 1, retryRate: 1 });
    expect(orch.getMetrics('w').retryRate).toBe(1);
  });
});

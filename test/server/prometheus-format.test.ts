/**
 * `GET /metrics` checked against the text exposition format 0.0.4 by a strict parser
 * (test/helpers/prometheus-text.ts), after runs down every path that feeds a family: success,
 * retry, step timeout, saga with a compensation that completes and one that fails, cancel while
 * running and while queued, and worker ids that need escaping.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parsePrometheusText } from '../helpers/prometheus-text.js';
import { closeAll, define, setup, start } from './helpers.js';

afterEach(closeAll);

describe('GET /metrics exposition format', () => {
  it('is valid 0.0.4 text after every kind of run, with escaped label values', async () => {
    const oddWorkers = ['w "quoted"', 'back\\slash', 'new\nline', 'ünï €'];
    const f = await setup({
      orchestrator: {
        workers: oddWorkers,
        maxConcurrentWorkflows: 1,
        retryDelay: 0.01,
        alerts: { failureRate: 0.1, minSamples: 1 },
        actions: { slow: () => new Promise((r) => setTimeout(r, 2000)) },
        compensations: {
          undoFails: () => {
            throw new Error('cannot undo');
          },
        },
      },
    });
    await define(f, 'hello', [{ name: 'greet' }]);
    await define(f, 'flaky', [{ name: 'flaky', retry: { maxAttempts: 1, initialDelay: 0.01 } }]);
    await define(f, 'timeout', [{ name: 'slow', timeout: 0.05 }]);
    await define(f, 'saga', [
      { name: 'reserve', compensation: 'release' },
      { name: 'greet', compensation: 'undoFails' },
      { name: 'fail' },
    ]);
    await define(f, 'blocker', [{ name: 'block' }]);
    const engine = f.orch.workflowEngine;
    for (const wf of ['hello', 'flaky', 'timeout', 'saga']) {
      await engine.waitForCompletion(await start(f, wf), { timeout: 10 });
    }
    const running = await start(f, 'blocker');
    const queued = await start(f, 'hello');
    expect(await engine.cancelWorkflow(queued)).toBe(true);
    const text1 = (await f.call({ url: '/metrics' })).body;
    const during = parsePrometheusText(text1);
    const load = during.get('orchestrator_worker_load')?.samples.map((s) => s.labels.worker);
    expect(load).toEqual(oddWorkers);
    expect(await engine.cancelWorkflow(running)).toBe(true);
    await engine.waitForCompletion(running, { timeout: 10 });

    const text = (await f.call({ url: '/metrics' })).body;
    const families = parsePrometheusText(text);
    const finished = families.get('orchestrator_executions_finished_total');
    expect(finished?.samples.reduce((n, s) => n + s.value, 0)).toBe(6);
    expect(families.get('orchestrator_compensations_total')?.samples).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ labels: { workflow: 'saga', step: 'reserve', result: 'completed' } }),
        expect.objectContaining({ labels: { workflow: 'saga', step: 'greet', result: 'failed' } }),
      ]),
    );
  });
});

/**
 * `GET /metrics` checked against the text exposition format 0.0.4 by a strict parser
 * (test/helpers/prometheus-text.ts), after runs down every path that feeds a family: success,
 * retry, step timeout, saga with a compensation that completes and one that fails, cancel while
 * running and while queued, and worker ids that need escaping.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/index.js';
import { gate } from '../helpers/orchestrator.js';
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

  it('execution_duration_seconds measures what its HELP says: from taking a slot, not from acceptance', async () => {
    const clock = new FakeClock();
    const hold = gate();
    const f = await setup({
      orchestrator: { clock, maxConcurrentWorkflows: 1, actions: { wait: () => hold.promise } },
    });
    await define(f, 'first', [{ name: 'wait' }]);
    await define(f, 'hello', [{ name: 'greet' }]);
    const first = await start(f, 'first');
    const queued = await start(f, 'hello');
    await clock.advance(10_000);
    hold.open();
    await f.orch.workflowEngine.waitForCompletion(first, { timeout: 5 });
    await f.orch.workflowEngine.waitForCompletion(queued, { timeout: 5 });
    const family = parsePrometheusText((await f.call({ url: '/metrics' })).body).get(
      'orchestrator_execution_duration_seconds',
    );
    const sum = family?.samples.find(
      (s) => s.name.endsWith('_sum') && s.labels.workflow === 'hello' && s.labels.status === 'completed',
    );
    // It waited 10 s in the queue and ran for no time: the histogram has the run, not the wait.
    expect(sum?.value).toBe(0);
    expect(family?.help).toMatch(/from (its )?start/i);
    expect(family?.help).not.toMatch(/acceptance/i);
  });
});

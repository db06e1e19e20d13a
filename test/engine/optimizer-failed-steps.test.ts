/**
 * SPEC §4: "every execution and step duration is recorded" — a step that fails for good (a
 * timeout, a handler error after its retries) is recorded too, with its retries and failure, so
 * the optimizer's advice covers the steps that need it most (one that always times out).
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/index.js';
import { finishWithClock, untilAborted, withOrchestrator } from '../helpers/orchestrator.js';

describe('optimizer fed with failed steps', () => {
  it('records a step that timed out, and says it nears its timeout', async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({
      clock,
      slowThreshold: 1,
      actions: { fast: () => 1, stuck: (_input, ctx) => untilAborted(ctx.signal) },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'fast' }, { name: 'stuck', timeout: 2 }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    const status = await finishWithClock(orch, clock, id, { stepMs: 100 });
    expect(status.status).toBe('failed');
    expect(status.error?.code).toBe('STEP_TIMEOUT');

    const stats = orch.performanceOptimizer.getStepStats('w');
    expect(stats.stuck).toMatchObject({ count: 1, failures: 1 });
    expect(stats.stuck?.avg).toBeGreaterThanOrEqual(2_000);
    expect(orch.performanceOptimizer.identifyBottleneck('w')).toBe('stuck');
    const near = orch.performanceOptimizer
      .suggestOptimization('w', 5_000)
      .filter((s) => s.includes('of its timeout'));
    expect(near).toHaveLength(1);
    expect(near[0]).toMatch(/^Step 'stuck' p95/);
  });

  it('records a retried step that failed for good as retried and failed', async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({
      clock,
      actions: {
        flaky: () => {
          throw new Error('down');
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'flaky', retry: { maxAttempts: 2 } }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    expect((await finishWithClock(orch, clock, id, { stepMs: 100 })).status).toBe('failed');
    expect(orch.performanceOptimizer.getStepStats('w').flaky).toMatchObject({
      count: 1,
      retries: 1,
      failures: 1,
    });
  });

  it('records a parallel branch that failed', async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({
      clock,
      actions: {
        ok: () => 1,
        bad: () => {
          throw new Error('no');
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'p', parallel: [{ name: 'ok' }, { name: 'bad' }] },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    expect((await finishWithClock(orch, clock, id)).status).toBe('failed');
    const stats = orch.performanceOptimizer.getStepStats('w');
    expect(stats.bad).toMatchObject({ count: 1, failures: 1 });
    expect(stats.p).toMatchObject({ count: 1, failures: 1 });
  });
});

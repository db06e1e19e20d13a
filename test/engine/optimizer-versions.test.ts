/**
 * A workflow redefined with other steps is a new version (SPEC §3): the optimizer's figures for
 * it describe the newest version that ran, not a mix of both, so its bottleneck and suggestions
 * never name a step the workflow no longer has.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock, PerformanceOptimizer } from '../../src/index.js';
import { finishWithClock, STORE_KINDS, storeUrl, withOrchestrator } from '../helpers/orchestrator.js';

describe.each(STORE_KINDS)('optimizer figures across definition versions (%s store)', (kind) => {
  it('covers the newest version run, without the steps and times of the older one', async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({
      clock,
      store: storeUrl(kind),
      slowThreshold: 1,
      actions: {
        a: () => clock.sleep(1_000).then(() => 'a'),
        old_slow: () => clock.sleep(9_000).then(() => 'old'),
        c: () => clock.sleep(3_000).then(() => 'c'),
      },
    });
    const engine = orch.workflowEngine;
    await engine.defineWorkflow('w', [{ name: 'a' }, { name: 'old_slow' }]);
    await finishWithClock(orch, clock, await engine.executeWorkflow('w'));
    await engine.defineWorkflow('w', [{ name: 'a' }, { name: 'c' }]);
    await finishWithClock(orch, clock, await engine.executeWorkflow('w'));

    const po = orch.performanceOptimizer;
    expect(po.getStats('w')).toMatchObject({ count: 1, avg: 4_000, max: 4_000 });
    expect(Object.keys(po.getStepStats('w'))).toEqual(['a', 'c']);
    expect(po.getStepStats('w').a).toMatchObject({ count: 1, share: 0.25 });
    expect(po.identifyBottleneck('w')).toBe('c');
    expect(po.suggestOptimization('w', 4_000).join('\n')).not.toContain('old_slow');
    expect(po.getVersion('w')).toBe(2);
  });

  it('leaves out an execution of the older version that ends after the newer one started', async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({
      clock,
      store: storeUrl(kind),
      actions: { a: () => clock.sleep(1_000).then(() => 'a'), b: () => clock.sleep(5_000).then(() => 'b') },
    });
    const engine = orch.workflowEngine;
    await engine.defineWorkflow('w', [{ name: 'b' }]);
    const old = await engine.executeWorkflow('w');
    await engine.defineWorkflow('w', [{ name: 'a' }]);
    await finishWithClock(orch, clock, await engine.executeWorkflow('w'));
    expect((await finishWithClock(orch, clock, old)).workflowVersion).toBe(1);

    const po = orch.performanceOptimizer;
    expect(po.getStats('w')).toMatchObject({ count: 1, avg: 1_000 });
    expect(Object.keys(po.getStepStats('w'))).toEqual(['a']);
  });
});

describe('PerformanceOptimizer versions', () => {
  it('starts afresh on a newer version, ignores older ones, and takes unversioned samples as they come', () => {
    const po = new PerformanceOptimizer();
    po.recordExecution('w', 100);
    po.recordStep('w', 's', 100);
    expect(po.getVersion('w')).toBeNull();
    po.recordExecution('w', 200, 1);
    po.recordStep('w', 's', 200, { version: 1 });
    expect(po.getStats('w').count).toBe(2);
    po.recordStep('w', 't', 50, { version: 2 });
    po.recordExecution('w', 300, 2);
    po.recordExecution('w', 900, 1);
    po.recordStep('w', 's', 900, { version: 1 });
    expect(po.getStats('w')).toMatchObject({ count: 1, avg: 300 });
    expect(Object.keys(po.getStepStats('w'))).toEqual(['t']);
    expect(po.getVersion('w')).toBe(2);
    po.recordExecution('w', 500);
    expect(po.getStats('w').count).toBe(2);
    expect(() => po.recordExecution('w', 1, 0)).toThrow(/version/);
    expect(() => po.recordStep('w', 's', 1, { version: 1.5 })).toThrow(/version/);
  });
});

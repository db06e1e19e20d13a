/**
 * Where a failed saga's time goes: its compensations run after the forward steps and are part of
 * the execution's duration, not of any step's run. The optimizer keeps them apart, per step
 * compensated (`compensations`, `compensationAvg`), so that the whole time is accounted for.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock, PerformanceOptimizer } from '../../src/index.js';
import { finishWithClock, STORE_KINDS, storeUrl, withOrchestrator } from '../helpers/orchestrator.js';

describe.each(STORE_KINDS)('compensation time in the optimizer (%s store)', (kind) => {
  it('is kept apart from the forward steps, per step compensated', async () => {
    const clock = new FakeClock();
    const orch = await withOrchestrator({
      clock,
      store: storeUrl(kind),
      actions: {
        reserve: () => clock.sleep(1_000).then(() => 'r'),
        charge: () => clock.sleep(200).then(() => Promise.reject(new Error('card declined'))),
      },
      compensations: { release: () => clock.sleep(5_000) },
    });
    await orch.workflowEngine.defineWorkflow('order', [
      { name: 'reserve', compensation: 'release' },
      { name: 'charge' },
    ]);
    const status = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('order'));
    expect(status).toMatchObject({ status: 'failed', compensatedSteps: ['reserve'] });

    const po = orch.performanceOptimizer;
    expect(po.getStats('order')).toMatchObject({ count: 1, avg: 6_200 });
    const steps = po.getStepStats('order');
    expect(steps.reserve).toMatchObject({ count: 1, avg: 1_000, compensations: 1, compensationAvg: 5_000 });
    expect(steps.charge).toMatchObject({
      count: 1,
      avg: 200,
      failures: 1,
      compensations: 0,
      compensationAvg: 0,
    });
    // Forward work's shares are unchanged by the compensation.
    expect(steps.reserve?.share).toBeCloseTo(1_000 / 1_200);
  });
});

describe('PerformanceOptimizer.recordCompensation', () => {
  it('averages compensations per step, follows versions and checks its arguments', () => {
    const po = new PerformanceOptimizer();
    po.recordCompensation('w', 's', 100, { version: 1 });
    po.recordCompensation('w', 's', 300, { version: 1 });
    expect(po.getStepStats('w').s).toMatchObject({ count: 0, compensations: 2, compensationAvg: 200 });
    po.recordCompensation('w', 's', 50, { version: 2 });
    expect(po.getStepStats('w').s).toMatchObject({ compensations: 1, compensationAvg: 50 });
    expect(() => po.recordCompensation('w', 's', '5' as unknown as number)).toThrow(/durationMs/);
  });
});

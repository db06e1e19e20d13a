/**
 * Alerts checked in housekeeping need nothing from the store: while the store fails (the
 * moment executions get stuck), a stuck execution is still alerted as over the execution time.
 */
import { describe, expect, it } from 'vitest';
import { type Alert, FakeClock } from '../../src/index.js';
import { failRenewals, withFlakyRenewals } from '../helpers/flaky-renewals.js';
import { untilAborted } from '../helpers/orchestrator.js';

describe('execution_time alerts while the store fails', () => {
  it('alerts a stuck execution though every housekeeping round fails on the store', async () => {
    const clock = new FakeClock();
    const { orch, store } = await withFlakyRenewals({
      clock,
      alerts: { executionTimeMs: 1000, cooldown: 0 },
      actions: { block: (_input, ctx) => untilAborted(ctx.signal) },
    });
    const alerts: Alert[] = [];
    orch.on('alert', (a) => alerts.push(a));
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'block' }]);
    const stuck = await orch.workflowEngine.executeWorkflow('w');
    await failRenewals(store, clock);
    for (let i = 0; i < 8; i++) await clock.advance(500);
    expect(alerts.map((a) => [a.type, a.executionId])).toEqual([['execution_time', stuck]]);
    store.failRenewals = false;
  });
});

/**
 * Alerts checked in housekeeping need nothing from the store: while the store fails (the
 * moment executions get stuck), a stuck execution is still alerted as over the execution time.
 */
import { describe, expect, it } from 'vitest';
import { type Alert, FakeClock } from '../../src/index.js';
import { FlakyRenewals } from '../helpers/flaky-renewals.js';
import { tempDir, untilAborted, withOrchestrator } from '../helpers/orchestrator.js';

describe('execution_time alerts while the store fails', () => {
  it('alerts a stuck execution though every housekeeping round fails on the store', async () => {
    const clock = new FakeClock();
    const store = new FlakyRenewals(`${tempDir()}/orchestrator.sqlite`);
    const orch = await withOrchestrator({
      store,
      clock,
      sweepInterval: 0.5,
      leaseSeconds: 3,
      alerts: { executionTimeMs: 1000, cooldown: 0 },
      actions: { block: (_input, ctx) => untilAborted(ctx.signal) },
    });
    const alerts: Alert[] = [];
    orch.on('alert', (a) => alerts.push(a));
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'block' }]);
    const stuck = await orch.workflowEngine.executeWorkflow('w');
    store.failRenewals = true;
    for (let i = 0; i < 10; i++) await clock.advance(500);
    expect(store.renewalsRefused).toBeGreaterThan(0);
    expect(alerts.map((a) => [a.type, a.executionId])).toEqual([['execution_time', stuck]]);
    store.failRenewals = false;
  });
});

/**
 * README (Clock steps): a wait in progress runs on Node's monotonic timers, and a clock stepped
 * forward ends no wait early. `waitForCompletion`'s `timeout` is such a wait, also on an execution
 * another node runs (which it follows by re-reading the store).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { gate, nextEvent, tempSqliteUrl, until, withOrchestrator } from '../helpers/orchestrator.js';
import { stepClockForward } from '../helpers/step-system-clock.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a system clock stepped forward during waitForCompletion', () => {
  it('does not end the wait early on an execution another node runs', async () => {
    const store = tempSqliteUrl();
    const hold = gate();
    const one = await withOrchestrator({ store, actions: { hang: () => hold.promise.then(() => 'done') } });
    await one.workflowEngine.defineWorkflow('w', [{ name: 'hang' }], { timeout: 3600 });
    const started = nextEvent(one, 'step.started');
    const id = await one.workflowEngine.executeWorkflow('w');
    await started;

    const two = await withOrchestrator({ store });
    const reads = vi.spyOn(two.store, 'getExecution');
    let settled = false;
    const wait = two.workflowEngine.waitForCompletion(id, { timeout: 60 });
    wait.then(
      () => (settled = true),
      () => (settled = true),
    );
    stepClockForward(120_000);
    // Several re-reads of the store (100 ms apart) after the step: the wait goes on.
    await until(() => settled || reads.mock.calls.length >= 4);
    expect(settled).toBe(false);

    hold.open();
    expect(await wait).toMatchObject({ status: 'completed', outputData: { hang: 'done' } });
  });

  it('still times out on the timers, on an execution another node runs', async () => {
    const store = tempSqliteUrl();
    const hold = gate();
    const one = await withOrchestrator({ store, actions: { hang: () => hold.promise } });
    await one.workflowEngine.defineWorkflow('w', [{ name: 'hang' }], { timeout: 3600 });
    const started = nextEvent(one, 'step.started');
    const id = await one.workflowEngine.executeWorkflow('w');
    await started;
    const two = await withOrchestrator({ store });
    const begun = performance.now();
    await expect(two.workflowEngine.waitForCompletion(id, { timeout: 0.15 })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    // Not before its time (the timers' millisecond may round a little).
    expect(performance.now() - begun).toBeGreaterThanOrEqual(149);
    hold.open();
  });
});

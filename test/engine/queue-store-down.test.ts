/**
 * What housekeeping does for the local queue needs nothing from the store to be decided: it runs
 * every round, also in rounds whose store work (a lease renewal, a heartbeat) failed. Here every
 * renewal fails; the store's other writes work (a renewal can fail alone: a dropped connection, a
 * timeout, a lock).
 */
import { describe, expect, it } from 'vitest';
import { type Clock, FakeClock } from '../../src/index.js';
import { failRenewals, withFlakyRenewals } from '../helpers/flaky-renewals.js';
import { gate } from '../helpers/orchestrator.js';

describe('a housekeeping round whose store work fails', () => {
  it('still starts queued executions once a worker is added (README: within a sweepInterval)', async () => {
    const clock = new FakeClock();
    const hold = gate();
    const { orch, store } = await withFlakyRenewals({
      clock,
      maxConcurrentWorkflows: 1,
      actions: { a: () => hold.promise },
    });
    const e = orch.workflowEngine;
    await e.defineWorkflow('w', [{ name: 'a' }]);
    const first = await e.executeWorkflow('w');
    const second = await e.executeWorkflow('w');
    // The first one ends with its worker removed: the second waits in the queue for a worker.
    orch.on('execution.completed', (ev) => {
      if (ev.executionId === first) orch.loadBalancer.removeWorker('worker_1');
    });
    hold.open();
    expect((await e.waitForCompletion(first)).status).toBe('completed');
    expect(orch.getLocalLoad()).toEqual({ running: 0, queued: 1 });

    await failRenewals(store, clock);
    orch.loadBalancer.addWorker('worker_2');
    await clock.advance(500);
    expect(await e.getExecutionStatus(second)).toMatchObject({ status: 'completed', workerId: 'worker_2' });
  });

  it("still ends a queued execution past its workflow's timeout, its timer not fired yet", async () => {
    // The system clock stepped forward (NTP, a VM resumed): the stored deadline has passed, while
    // the deadline's timer, on the monotonic clock, fires later. Housekeeping ends it meanwhile.
    const fake = new FakeClock();
    let stepped = 0;
    const clock: Clock = {
      now: () => fake.now() + stepped,
      setTimer: (fn, ms) => fake.setTimer(fn, ms),
      sleep: (ms, signal) => fake.sleep(ms, signal),
    };
    const hold = gate();
    const { orch, store } = await withFlakyRenewals({
      clock,
      maxConcurrentWorkflows: 1,
      actions: { block: () => hold.promise, quick: () => 'ok' },
    });
    const e = orch.workflowEngine;
    await e.defineWorkflow('slow', [{ name: 'block' }], { timeout: 600 });
    await e.defineWorkflow('fast', [{ name: 'quick' }], { timeout: 60 });
    const first = await e.executeWorkflow('slow');
    const queued = await e.executeWorkflow('fast');

    await failRenewals(store, fake);
    stepped = 120_000;
    await fake.advance(500);
    expect(await e.getExecutionStatus(queued)).toMatchObject({
      status: 'failed',
      error: { code: 'WORKFLOW_TIMEOUT', message: expect.stringMatching(/before it could start/) },
    });
    store.failRenewals = false;
    hold.open();
    expect((await e.waitForCompletion(first)).status).toBe('completed');
  });
});

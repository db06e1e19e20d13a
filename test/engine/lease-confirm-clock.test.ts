/**
 * A stalled node confirms its leases before it starts an attempt (`confirmLease`), and the
 * confirmation is an await: the clock moves meanwhile. The attempt that then starts is timed from
 * the clock as it reads after the confirmation, not from the reading that found the leases lapsed
 * (the runner reuses one clock reading for both checks only when no await comes between).
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createOrchestrator, FakeClock } from '../../src/index.js';
import { FlakyRenewals } from '../helpers/flaky-renewals.js';
import { gatedFirstStep } from '../helpers/gated-first-step.js';
import { holdableRounds } from '../helpers/held-round.js';
import { finishWithClock, gate, nextEvent, nextTurn, tempDir } from '../helpers/orchestrator.js';

it('a retry that waited for its leases to be confirmed starts at the time the confirmation ended', async () => {
  const clock = new FakeClock();
  const store = new FlakyRenewals(join(tempDir(), 'store.sqlite'));
  const rounds = holdableRounds(store);
  const fail = gate();
  let calls = 0;
  const flaky = async () => {
    calls++;
    if (calls > 1) return 'ok';
    await fail.promise;
    throw new Error('try again');
  };
  // A lease of 3 s renewed every round (1 s): a stall of 5 s lapses it.
  const orch = await createOrchestrator({
    store,
    clock,
    leaseSeconds: 3,
    sweepInterval: 1,
    actions: { flaky },
  });
  try {
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'flaky', retry: { maxAttempts: 2, initialDelay: 0.01 } },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    while (calls === 0) await clock.advance(10);
    store.failRenewals = true;
    await clock.advance(5_000);
    store.failRenewals = false;
    // The retry, once due, waits for the round that confirms the leases: held while time passes.
    const held = rounds.hold();
    const failed = nextEvent(orch, 'step.failed');
    fail.open();
    await failed;
    await nextTurn();
    await clock.advance(10);
    await held;
    expect(calls).toBe(1);
    await clock.advance(700);
    const confirmedAt = clock.now();
    rounds.release();
    const status = await finishWithClock(orch, clock, id, { stepMs: 500 });
    expect(status.status).toBe('completed');
    expect(calls).toBe(2);
    const retry = status.steps[0]?.history?.[1];
    expect(retry?.attempt).toBe(2);
    expect(retry?.startedAt.getTime()).toBeGreaterThanOrEqual(confirmedAt);
  } finally {
    await orch.close();
  }
});

it('a step that waited for its leases to be confirmed starts at the time the confirmation ended', async () => {
  const store = new FlakyRenewals(join(tempDir(), 'store.sqlite'));
  const rounds = holdableRounds(store);
  const { clock, first, orch, id } = await gatedFirstStep(store);
  store.failRenewals = true;
  await clock.advance(5_000);
  store.failRenewals = false;
  // The walk, before the second step, waits for the round that confirms the leases: held while
  // time passes.
  const held = rounds.hold();
  first.open(1);
  await held;
  await clock.advance(700);
  const confirmedAt = clock.now();
  rounds.release();
  const status = await finishWithClock(orch, clock, id, { stepMs: 500 });
  expect(status.status).toBe('completed');
  expect(status.steps[1]?.startedAt?.getTime()).toBeGreaterThanOrEqual(confirmedAt);
});

/**
 * A parallel step's own timeout holds when its branches end after it though its timer has not fired
 * yet (a stalled event loop runs due timers list by list; a synchronous branch cannot be cut short):
 * the step fails with STEP_TIMEOUT, as when the timer fires in time, and a late branch's result is
 * not kept. Branches that ended in time stay completed.
 */
import { describe, expect, it } from 'vitest';
import { createOrchestrator, type Orchestrator } from '../../src/index.js';
import { type StalledClock, stalledClock } from '../helpers/stalled-clock.js';

/** Runs a parallel step `p` (timeout 10 ms) of branches `a` and `b` (ending after `a`), each moving the clock by its ms. */
async function run(orch: Orchestrator, clock: StalledClock, a: number, b: number, sync = false) {
  const e = orch.workflowEngine;
  const branch = (ms: number, later: boolean) =>
    sync
      ? () => {
          clock.move(ms);
          return { ms };
        }
      : async () => {
          // Ends a turn of the event loop after the other branch's (whose result is taken by then).
          await new Promise((resolve) => setImmediate(resolve));
          if (later) await new Promise((resolve) => setImmediate(resolve));
          clock.move(ms);
          return { ms };
        };
  e.registerAction('a', branch(a, false) as never);
  e.registerAction('b', branch(b, true) as never);
  await e.defineWorkflow('w', [
    { name: 'p', timeout: 0.01, parallel: [{ name: 'a' }, { name: 'b' }] },
    { name: 'after' },
  ]);
  e.registerAction('after', () => 'ran');
  return e.waitForCompletion(await e.executeWorkflow('w'));
}

describe("a parallel step's timeout, its timer not fired", () => {
  it('fails the step with STEP_TIMEOUT when a branch returns after it', async () => {
    const clock = stalledClock();
    const orch = await createOrchestrator({ store: 'memory', clock });
    try {
      // a ends at +4 ms (in time), b at +4+20 = +24 ms: past the step's 10 ms.
      const status = await run(orch, clock, 4, 20);
      expect(status.status).toBe('failed');
      expect(status.error).toMatchObject({ code: 'STEP_TIMEOUT', step: 'p' });
      const [p, after] = status.steps;
      expect(p).toMatchObject({ name: 'p', status: 'failed' });
      expect(p?.branches?.map((s) => [s.name, s.status])).toEqual([
        ['a', 'completed'],
        ['b', 'cancelled'],
      ]);
      expect(after).toMatchObject({ name: 'after', status: 'skipped' });
      expect(status.outputData.b).toBeUndefined();
    } finally {
      await orch.close();
    }
  });

  it('fails the step when synchronous branches together run past it', async () => {
    const clock = stalledClock();
    const orch = await createOrchestrator({ store: 'memory', clock });
    try {
      const status = await run(orch, clock, 6, 6, true);
      expect(status.error).toMatchObject({ code: 'STEP_TIMEOUT', step: 'p' });
    } finally {
      await orch.close();
    }
  });

  it('completes when the last branch ends exactly at the timeout', async () => {
    const clock = stalledClock();
    const orch = await createOrchestrator({ store: 'memory', clock });
    try {
      const status = await run(orch, clock, 4, 6);
      expect(status.status).toBe('completed');
      expect(status.outputData.p).toEqual({ a: { ms: 4 }, b: { ms: 6 } });
      expect(status.outputData.after).toBe('ran');
    } finally {
      await orch.close();
    }
  });
});

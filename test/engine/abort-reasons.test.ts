/**
 * `ctx.signal.reason` is an Error in every case (SPEC §4: the signal aborts on cancellation and on
 * timeout), so `fetch(url, { signal })` and other APIs that reject with the reason reject with an
 * Error carrying a code, never with a bare string or a symbol.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock, OrchestratorError } from '../../src/index.js';
import { finishWithClock, gate, untilAborted, withOrchestrator } from '../helpers/orchestrator.js';

/** A handler that records its signal's reason when it aborts. */
function recorder() {
  const seen: { reason: unknown } = { reason: undefined };
  const entered = gate();
  const handler = async (_i: unknown, ctx: { signal: AbortSignal }) => {
    entered.open();
    try {
      await untilAborted(ctx.signal);
    } catch (reason) {
      seen.reason = reason;
      throw reason;
    }
  };
  return { seen, entered, handler };
}

function expectCoded(reason: unknown, code: string): void {
  expect(reason).toBeInstanceOf(Error);
  expect(reason).toBeInstanceOf(OrchestratorError);
  expect((reason as OrchestratorError).code).toBe(code);
  expect((reason as Error).message.length).toBeGreaterThan(0);
}

describe('abort reasons given to handlers', () => {
  it('cancellation aborts the signal with an Error coded CANCELLED', async () => {
    const r = recorder();
    const orch = await withOrchestrator({ store: 'memory', actions: { wait: r.handler } });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'wait' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await r.entered.promise;
    await expect(orch.workflowEngine.cancelWorkflow(id)).resolves.toBe(true);
    expectCoded(r.seen.reason, 'CANCELLED');
    expect((r.seen.reason as Error).message).toContain(id);
  });

  it('the workflow timeout aborts the signal with an Error coded WORKFLOW_TIMEOUT', async () => {
    const clock = new FakeClock();
    const r = recorder();
    const orch = await withOrchestrator({
      store: 'memory',
      clock,
      workflowTimeout: 2,
      actions: { wait: r.handler },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'wait' }]);
    const status = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('w'));
    expect(status.error?.code).toBe('WORKFLOW_TIMEOUT');
    expectCoded(r.seen.reason, 'WORKFLOW_TIMEOUT');
  });

  it("a parallel step's timeout aborts its branches with an Error coded STEP_TIMEOUT", async () => {
    const clock = new FakeClock();
    const r = recorder();
    const orch = await withOrchestrator({ store: 'memory', clock, actions: { a: r.handler } });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'p', timeout: 1, parallel: [{ name: 'a' }] }]);
    const status = await finishWithClock(orch, clock, await orch.workflowEngine.executeWorkflow('w'));
    expect(status.error).toMatchObject({ code: 'STEP_TIMEOUT', step: 'p' });
    expectCoded(r.seen.reason, 'STEP_TIMEOUT');
    expect((r.seen.reason as Error).message).toContain("'p'");
  });

  it('a failed sibling aborts the other branches with an Error coded CANCELLED', async () => {
    const r = recorder();
    const orch = await withOrchestrator({
      store: 'memory',
      actions: {
        a: r.handler,
        b: async () => {
          await r.entered.promise;
          throw new Error('boom');
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'p', parallel: [{ name: 'a' }, { name: 'b' }] }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
    expect(status.error).toMatchObject({ code: 'STEP_FAILED', step: 'b' });
    expectCoded(r.seen.reason, 'CANCELLED');
    expect((r.seen.reason as Error).message).toContain("'b'");
  });

  it('closing the orchestrator aborts running handlers with an Error', async () => {
    const r = recorder();
    const orch = await withOrchestrator({ store: 'memory', actions: { wait: r.handler } });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'wait' }]);
    await orch.workflowEngine.executeWorkflow('w');
    await r.entered.promise;
    await orch.close();
    expectCoded(r.seen.reason, 'CLOSED');
  });
});

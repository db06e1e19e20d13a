/**
 * A step whose `compensation` names no registered handler: the compensation fails at once (no
 * retry) with a typed error, `COMPENSATION_NOT_FOUND`, whose message names the handler (at most 64
 * characters of it, as every message repeats a name) and the step, in the status, on
 * `compensation.failed` and in the `compensation_failure` alert; the other compensations still run.
 */
import { describe, expect, it } from 'vitest';
import { type Alert, CompensationNotFoundError, OrchestratorError } from '../../src/index.js';
import { collectEvents, runToEnd, withOrchestrator } from '../helpers/orchestrator.js';

describe('a compensation with no registered handler', () => {
  it('fails at once with COMPENSATION_NOT_FOUND naming the handler and the step', async () => {
    const ran: string[] = [];
    const orch = await withOrchestrator({
      actions: { a: () => 'a', b: () => 'b', boom: () => Promise.reject(new Error('boom')) },
      compensations: { undo_a: () => ran.push('undo_a') },
    });
    const alerts: Alert[] = [];
    orch.on('alert', (a) => alerts.push(a));
    const events = collectEvents(orch, ['compensation.failed']);
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'a', compensation: 'undo_a' },
      { name: 'b', compensation: 'refund_payment' },
      { name: 'boom' },
    ]);
    const status = await runToEnd(orch, 'w');
    expect(ran).toEqual(['undo_a']);
    const expected = {
      code: 'COMPENSATION_NOT_FOUND',
      message: "No handler is registered for compensation 'refund_payment' (of step 'b')",
      step: 'b',
    };
    expect(status.steps[1]?.compensation).toMatchObject({ status: 'failed', attempts: 1, error: expected });
    expect(events.of('compensation.failed')).toMatchObject([{ step: 'b', final: true, error: expected }]);
    expect(alerts.map((a) => a.message)).toEqual([
      `Compensation of step 'b' in execution ${status.id} failed: ${expected.message}`,
    ]);
  });

  it('names the registered compensation a misspelt name most likely meant', async () => {
    const orch = await withOrchestrator({
      actions: { a: () => 'a', boom: () => Promise.reject(new Error('boom')) },
      compensations: { refund_payment: () => undefined },
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'a', compensation: 'refund_paymnet' },
      { name: 'boom' },
    ]);
    const status = await runToEnd(orch, 'w');
    expect(status.steps[0]?.compensation?.error?.message).toBe(
      "No handler is registered for compensation 'refund_paymnet' (of step 'a') (did you mean 'refund_payment'?)",
    );
  });

  it('repeats at most 64 characters of a long handler name', async () => {
    const name = `undo_${'x'.repeat(95)}`;
    const orch = await withOrchestrator({
      actions: { a: () => 'a', boom: () => Promise.reject(new Error('boom')) },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a', compensation: name }, { name: 'boom' }]);
    const status = await runToEnd(orch, 'w');
    expect(status.steps[0]?.compensation?.error?.message).toBe(
      `No handler is registered for compensation '${name.slice(0, 64)}…' (100 characters) (of step 'a')`,
    );
  });

  it('is a typed, exported error', () => {
    const error = new CompensationNotFoundError('undo', 'book');
    expect(error).toBeInstanceOf(OrchestratorError);
    expect(error).toMatchObject({ code: 'COMPENSATION_NOT_FOUND', name: 'CompensationNotFoundError' });
  });
});

/**
 * A process that opens a store holding another workflow's unfinished execution, without the
 * handlers that workflow needs (a CLI `run` of another workflow, a node deployed with fewer
 * handlers), leaves it alone — it does not fail it with ACTION_NOT_FOUND — and a later process
 * that has the handlers finishes it. One that only has to compensate (a cancel was requested)
 * needs only the compensations.
 */
import { describe, expect, it } from 'vitest';
import type { ActionHandler } from '../../src/index.js';
import { runToEnd, tempSqliteUrl, untilAborted, withOrchestrator } from '../helpers/orchestrator.js';

const hang: ActionHandler = (_input, ctx) => untilAborted(ctx.signal);

describe('resuming without the handlers a workflow needs', () => {
  it('leaves the execution in the store for a process that has them', async () => {
    const store = tempSqliteUrl();
    const first = await withOrchestrator({ store, actions: { register: hang } });
    await first.workflowEngine.defineWorkflow('registration', [{ name: 'register' }]);
    const id = await first.workflowEngine.executeWorkflow('registration');
    await first.close();

    // Only the handlers of another workflow: it runs that one, and leaves the registration be.
    const other = await withOrchestrator({ store, actions: { hello: () => 'hi' } });
    await other.workflowEngine.defineWorkflow('hello', [{ name: 'hello' }]);
    expect((await runToEnd(other, 'hello')).status).toBe('completed');
    expect(other.getLocalLoad()).toEqual({ running: 0, queued: 0 });
    const left = await other.workflowEngine.getExecutionStatus(id);
    expect(left?.status).toBe('running');
    expect(left?.error).toBeUndefined();
    await other.close();

    const last = await withOrchestrator({ store, actions: { register: () => 'registered' } });
    const status = await last.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(status.status).toBe('completed');
    expect(status.outputData).toEqual({ register: 'registered' });
  });
});

/**
 * A process that opens a store holding another workflow's unfinished execution, without the
 * handlers that workflow needs (a CLI `run` of another workflow, a node deployed with fewer
 * handlers), leaves it alone — it does not fail it with ACTION_NOT_FOUND — and a later process
 * that has the handlers finishes it. One that only has to compensate (a cancel was requested)
 * needs only the compensations.
 */
import { describe, expect, it } from 'vitest';
import type { ActionHandler } from '../../src/index.js';
import {
  answerWithin,
  runToEnd,
  tempSqliteUrl,
  untilAborted,
  waitForStatus,
  withOrchestrator,
} from '../helpers/orchestrator.js';

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

  it('answers a cancel at once: true when the compensations are here, false (request kept) when not', async () => {
    const store = tempSqliteUrl();
    // A long sweep: the cancel must not wait for the next round to look at the execution again.
    const timing = { sweepInterval: 30, leaseSeconds: 90 };
    const first = await withOrchestrator({
      store,
      ...timing,
      actions: { reserve: () => 'r1', register: hang },
      compensations: { release: () => undefined },
    });
    await first.workflowEngine.defineWorkflow('registration', [
      { name: 'reserve', compensation: 'release' },
      { name: 'register' },
    ]);
    await first.workflowEngine.defineWorkflow('plain', [{ name: 'register' }]);
    const saga = await first.workflowEngine.executeWorkflow('registration');
    const plain = await first.workflowEngine.executeWorkflow('plain');
    await waitForStatus(first, saga, (s) => s.stepsCompleted === 1);
    await first.close();

    // Neither action here, nor the compensation the saga needs to be cancelled.
    const other = await withOrchestrator({ store, ...timing, actions: { hello: () => 'hi' } });
    expect(await answerWithin(other.workflowEngine.cancelWorkflow(plain))).toBe(true);
    expect((await other.workflowEngine.getExecutionStatus(plain))?.status).toBe('cancelled');
    expect(await answerWithin(other.workflowEngine.cancelWorkflow(saga))).toBe(false);
    expect((await other.workflowEngine.getExecutionStatus(saga))?.status).toBe('running');
    await other.close();

    // The stored request is applied by a process that has the compensation.
    const last = await withOrchestrator({ store, ...timing, compensations: { release: () => undefined } });
    const status = await last.workflowEngine.waitForCompletion(saga, { timeout: 10 });
    expect(status.status).toBe('cancelled');
    expect(status.compensatedSteps).toEqual(['reserve']);
  });

  it('answers a cancel sent from another node while a live node holds the execution parked', async () => {
    const store = tempSqliteUrl();
    const timing = { sweepInterval: 0.1, leaseSeconds: 0.5 };
    const first = await withOrchestrator({
      store,
      ...timing,
      actions: { reserve: () => 'r1', register: hang },
      compensations: { release: () => undefined },
    });
    await first.workflowEngine.defineWorkflow('registration', [
      { name: 'reserve', compensation: 'release' },
      { name: 'register' },
    ]);
    const saga = await first.workflowEngine.executeWorkflow('registration');
    await waitForStatus(first, saga, (s) => s.stepsCompleted === 1);
    await first.close();

    // Node A resumes it without the handlers it needs (nor the compensation): parked there,
    // its lease renewed as long as A lives.
    const a = await withOrchestrator({ store, ...timing, actions: { hello: () => 'hi' } });
    expect(a.getLocalLoad()).toEqual({ running: 0, queued: 0 });
    expect((await a.store.getExecution(saga))?.execution.owner).toBe(a.nodeId);

    // Node B has everything, but A holds the execution: B's cancel answers within a few leases
    // (not cancelled now; the request stays stored) instead of waiting for as long as A lives.
    const b = await withOrchestrator({
      store,
      ...timing,
      actions: { reserve: () => 'r1', register: hang },
      compensations: { release: () => undefined },
    });
    expect(await answerWithin(b.workflowEngine.cancelWorkflow(saga), 4_000)).toBe(false);
    expect((await b.workflowEngine.getExecutionStatus(saga))?.status).toBe('running');

    // A closes and lets go: B takes it over and applies the stored request.
    await a.close();
    const status = await b.workflowEngine.waitForCompletion(saga, { timeout: 10 });
    expect(status.status).toBe('cancelled');
    expect(status.compensatedSteps).toEqual(['reserve']);
  });
});

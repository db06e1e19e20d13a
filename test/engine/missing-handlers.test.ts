/**
 * A process that opens a store holding another workflow's unfinished execution, without the
 * handlers that workflow needs (a CLI `run` of another workflow, a node deployed with fewer
 * handlers), leaves it alone — it does not fail it with ACTION_NOT_FOUND, nor hold it — and a
 * process that has the handlers finishes it, later or alongside. One that only has to compensate
 * (a cancel was requested) needs only the compensations.
 */
import { describe, expect, it } from 'vitest';
import type { ActionHandler } from '../../src/index.js';
import {
  answerWithin,
  registrationLeftRunning,
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
    const id = await registrationLeftRunning(store);

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

  it('lets a live node that has the handlers run it while the node without them lives on', async () => {
    const store = tempSqliteUrl();
    const timing = { sweepInterval: 0.1, leaseSeconds: 0.5 };
    const id = await registrationLeftRunning(store, timing);

    // Node A resumes it without the handler: it cannot run it.
    const a = await withOrchestrator({ store, ...timing, actions: { hello: () => 'hi' } });
    expect(a.getLocalLoad()).toEqual({ running: 0, queued: 0 });

    // Node B has the handler and lives alongside A: B runs it, A does not hold it back.
    const b = await withOrchestrator({ store, ...timing, actions: { register: () => 'registered' } });
    const status = await b.workflowEngine.waitForCompletion(id, { timeout: 5 });
    expect(status.status).toBe('completed');
    expect(status.outputData).toEqual({ register: 'registered' });
    // A keeps running its own work.
    await a.workflowEngine.defineWorkflow('hello', [{ name: 'hello' }]);
    expect((await runToEnd(a, 'hello')).status).toBe('completed');
  });

  it('leaves an execution nobody can run unowned, claims it no more, and runs it once its handler arrives', async () => {
    const store = tempSqliteUrl();
    const timing = { sweepInterval: 0.05, leaseSeconds: 0.5 };
    const id = await registrationLeftRunning(store, timing);

    const a = await withOrchestrator({ store, ...timing, actions: { hello: () => 'hi' } });
    const taken = (await a.store.getExecution(id))?.execution;
    expect(taken).toMatchObject({ owner: null, leaseUntil: null, status: 'running' });
    // Several rounds later: still unowned, and not claimed again (the epoch did not move).
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await a.store.getExecution(id))?.execution).toMatchObject({ owner: null, epoch: taken?.epoch });

    // The handler arrives: the next round claims it here and runs it.
    a.workflowEngine.registerAction('register', () => 'registered');
    const status = await a.workflowEngine.waitForCompletion(id, { timeout: 5 });
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

  it('a cancel from the node without the handlers is applied by the live node that has them', async () => {
    const store = tempSqliteUrl();
    const timing = { sweepInterval: 0.1, leaseSeconds: 0.5 };
    const full = {
      actions: { reserve: () => 'r1', register: hang },
      compensations: { release: () => undefined },
    };
    const first = await withOrchestrator({ store, ...timing, ...full });
    await first.workflowEngine.defineWorkflow('registration', [
      { name: 'reserve', compensation: 'release' },
      { name: 'register' },
    ]);
    const saga = await first.workflowEngine.executeWorkflow('registration');
    await waitForStatus(first, saga, (s) => s.stepsCompleted === 1);
    await first.close();

    // Node A has neither the actions nor the compensation: it takes the execution at start and
    // lets it go at once (it used to hold it, lease renewed, for as long as it lived).
    const a = await withOrchestrator({ store, ...timing, actions: { hello: () => 'hi' } });
    expect(a.getLocalLoad()).toEqual({ running: 0, queued: 0 });
    expect((await a.store.getExecution(saga))?.execution.owner).toBeNull();

    // Node B has everything: it takes the execution over while A lives, and applies the cancel
    // A records.
    const b = await withOrchestrator({ store, ...timing, ...full });
    await waitForStatus(b, saga, (s) => s.steps[1]?.status === 'running');
    expect(await answerWithin(a.workflowEngine.cancelWorkflow(saga), 4_000)).toBe(true);
    const status = await b.workflowEngine.waitForCompletion(saga, { timeout: 5 });
    expect(status.status).toBe('cancelled');
    expect(status.compensatedSteps).toEqual(['reserve']);
  });
});

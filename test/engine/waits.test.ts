/**
 * `waitForCompletion` (SPEC §4): resolves with the final status; rejects with a TimeoutError
 * when the execution is still unfinished after `timeout` seconds; an unknown id rejects with
 * ExecutionNotFoundError.
 */
import { describe, expect, it } from 'vitest';
import { ExecutionNotFoundError, FakeClock, TimeoutError } from '../../src/index.js';
import { driveClock, gate, STORE_KINDS, storeUrl, withOrchestrator } from '../helpers/orchestrator.js';

describe.each(STORE_KINDS)('waitForCompletion (%s store)', (kind) => {
  it('resolves with the final status of a finished execution', async () => {
    const orch = await withOrchestrator({ store: storeUrl(kind), actions: { a: () => 'done' } });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    const first = await orch.workflowEngine.waitForCompletion(id);
    expect(first).toMatchObject({ id, status: 'completed', outputData: { a: 'done' } });
    // Waiting again on a finished execution resolves at once with the same status.
    expect(await orch.workflowEngine.waitForCompletion(id, { timeout: 0 })).toMatchObject({
      id,
      status: 'completed',
    });
  });

  it('resolves with timeout 0 once the status is terminal, even while its runner is still letting go', async () => {
    const orch = await withOrchestrator({ store: storeUrl(kind), actions: { a: () => 'done' } });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'a' }]);
    // In the listener the terminal state is stored, and getExecutionStatus reports it.
    const answer = new Promise<unknown>((resolve) => {
      orch.on('execution.completed', ({ executionId }) => {
        orch.workflowEngine.waitForCompletion(executionId, { timeout: 0 }).then(
          (status) => resolve(status.status),
          (error: unknown) => resolve(error),
        );
      });
    });
    await orch.workflowEngine.executeWorkflow('w');
    expect(await answer).toBe('completed');
  });

  it('rejects with a TimeoutError when the execution is unfinished after the timeout (virtual time)', async () => {
    const clock = new FakeClock();
    const hold = gate();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      clock,
      actions: { block: () => hold.promise },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'block' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    const start = clock.now();
    const waiting = orch.workflowEngine.waitForCompletion(id, { timeout: 2 });
    const error = await driveClock(
      clock,
      waiting.catch((e: unknown) => e),
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ code: 'TIMEOUT' });
    expect(clock.now() - start).toBeGreaterThanOrEqual(2000);
    expect(clock.now() - start).toBeLessThan(2200);
    // The execution itself is untouched by the caller giving up.
    expect((await orch.workflowEngine.getExecutionStatus(id))?.status).toBe('running');
    hold.open();
    expect((await orch.workflowEngine.waitForCompletion(id)).status).toBe('completed');
  });

  it('leaves nothing attached to a running execution for each wait that timed out', async () => {
    // A caller that waits with a timeout in a loop (for an execution that runs for hours) used to
    // leave every timed-out wait's callback on the execution's end: ~1 KB each, until it ended.
    const clock = new FakeClock();
    const hold = gate();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      clock,
      actions: { block: () => hold.promise },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'block' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    const ex = (orch as unknown as { scheduler: { get(id: string): { done: Promise<void> } } }).scheduler.get(
      id,
    );
    const done = ex.done;
    let attached = 0;
    Object.defineProperty(ex, 'done', {
      get: () => ({
        // biome-ignore lint/suspicious/noThenProperty: counts what is attached to the execution's end.
        then: (onDone: () => unknown, onError?: (e: unknown) => unknown) => {
          attached++;
          return done.then(onDone, onError);
        },
      }),
    });
    for (let i = 0; i < 50; i++) {
      const error = await driveClock(
        clock,
        orch.workflowEngine.waitForCompletion(id, { timeout: 1 }).catch((e: unknown) => e),
      );
      expect(error).toBeInstanceOf(TimeoutError);
    }
    expect(attached).toBeLessThanOrEqual(1);
    const waiting = orch.workflowEngine.waitForCompletion(id, { timeout: 60 });
    hold.open();
    expect((await driveClock(clock, waiting)).status).toBe('completed');
  });

  it('rejects with a TimeoutError in real time too', async () => {
    const hold = gate();
    const orch = await withOrchestrator({ store: storeUrl(kind), actions: { block: () => hold.promise } });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'block' }]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await expect(orch.workflowEngine.waitForCompletion(id, { timeout: 0.05 })).rejects.toBeInstanceOf(
      TimeoutError,
    );
    hold.open();
  });

  it('rejects with ExecutionNotFoundError for an unknown id', async () => {
    const orch = await withOrchestrator({ store: storeUrl(kind) });
    const error = await orch.workflowEngine.waitForCompletion('exec_unknown').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExecutionNotFoundError);
    expect(error).toMatchObject({ code: 'EXECUTION_NOT_FOUND', executionId: 'exec_unknown' });
    expect(await orch.workflowEngine.getExecutionStatus('exec_unknown')).toBeNull();
  });

  it('resolves for failed and cancelled executions as well', async () => {
    const hold = gate();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        bad: () => {
          throw new Error('x');
        },
        block: () => hold.promise,
      },
    });
    await orch.workflowEngine.defineWorkflow('bad', [{ name: 'bad' }]);
    await orch.workflowEngine.defineWorkflow('slow', [{ name: 'block' }]);
    const failed = await orch.workflowEngine.executeWorkflow('bad');
    const cancelled = await orch.workflowEngine.executeWorkflow('slow');
    const waiting = orch.workflowEngine.waitForCompletion(cancelled);
    await orch.workflowEngine.cancelWorkflow(cancelled);
    expect((await orch.workflowEngine.waitForCompletion(failed)).status).toBe('failed');
    expect((await waiting).status).toBe('cancelled');
    hold.open();
  });
});

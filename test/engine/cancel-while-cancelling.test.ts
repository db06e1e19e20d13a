/**
 * A cancel repeated while the execution compensates for an earlier one (a retried HTTP request, a
 * second click, a second caller) waits for that saga and answers true once the execution ended
 * cancelled, as the CLI's `cancel` does: before, it answered false at once, as for a finished
 * execution, though the execution then ended cancelled. One compensating for a failure still
 * answers false (it ends failed whatever is asked).
 */
import { describe, expect, it } from 'vitest';
import { FakeClock, type OrchestratorOptions, type StepContext } from '../../src/index.js';
import {
  answerWithin,
  driveClock,
  finishWithClock,
  gate,
  STORE_KINDS,
  storeUrl,
  tempSqliteUrl,
  untilAborted,
  withOrchestrator,
} from '../helpers/orchestrator.js';

describe.each(STORE_KINDS)('cancelWorkflow of an execution compensating for a cancel (%s store)', (kind) => {
  it('waits for the saga and answers true, as the first call does', async () => {
    const clock = new FakeClock();
    const undoing = gate();
    const release = gate();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      clock,
      actions: { reserve: () => 'R-1', wait: (_input, ctx) => untilAborted(ctx.signal) },
      compensations: {
        release: async () => {
          undoing.open();
          await release.promise;
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'reserve', compensation: 'release' },
      { name: 'wait' },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await clock.advance(10);
    const first = orch.workflowEngine.cancelWorkflow(id);
    await undoing.promise;
    expect((await orch.workflowEngine.getExecutionStatus(id))?.status).toBe('compensating');

    const second = orch.workflowEngine.cancelWorkflow(id);
    // Not answered while the saga runs: the execution has not ended yet.
    expect(await answerWithin(second, 100)).toBe('no answer after 100 ms');
    release.open();
    expect(await first).toBe(true);
    expect(await second).toBe(true);
    expect((await orch.workflowEngine.getExecutionStatus(id))?.status).toBe('cancelled');
  });

  it('still answers false at once for one compensating for a failure', async () => {
    const clock = new FakeClock();
    const undoing = gate();
    const release = gate();
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      clock,
      actions: {
        reserve: () => 'R-1',
        boom: () => {
          throw new Error('boom');
        },
      },
      compensations: {
        release: async () => {
          undoing.open();
          await release.promise;
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'reserve', compensation: 'release' },
      { name: 'boom' },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    await undoing.promise;
    expect(await answerWithin(orch.workflowEngine.cancelWorkflow(id), 1_000)).toBe(false);
    release.open();
    expect((await finishWithClock(orch, clock, id)).status).toBe('failed');
  });
});

describe('cancelWorkflow of an execution resumed compensating for a cancel (sqlite store)', () => {
  it('answers true once the resumed saga ended cancelled', async () => {
    const store = tempSqliteUrl();
    const clock = new FakeClock();
    let phase: 'first' | 'second' = 'first';
    const undoing = gate();
    const resumedUndoing = gate();
    const release = gate();
    const options = (): OrchestratorOptions => ({
      store,
      clock,
      actions: { reserve: () => 'R-1', wait: (_input, ctx) => untilAborted(ctx.signal) },
      compensations: {
        release: async (_output: unknown, ctx: StepContext) => {
          if (phase === 'first') {
            undoing.open();
            await untilAborted(ctx.signal);
            return;
          }
          resumedUndoing.open();
          await release.promise;
        },
      },
    });
    const first = await withOrchestrator(options());
    await first.workflowEngine.defineWorkflow('w', [
      { name: 'reserve', compensation: 'release' },
      { name: 'wait' },
    ]);
    const id = await first.workflowEngine.executeWorkflow('w');
    await clock.advance(10);
    void first.workflowEngine.cancelWorkflow(id).catch(() => undefined);
    await undoing.promise;
    await first.close();

    phase = 'second';
    const second = await withOrchestrator(options());
    await resumedUndoing.promise;
    const again = second.workflowEngine.cancelWorkflow(id);
    expect(await answerWithin(again, 100)).toBe('no answer after 100 ms');
    release.open();
    expect(await driveClock(clock, again)).toBe(true);
    expect((await second.workflowEngine.getExecutionStatus(id))?.status).toBe('cancelled');
  });
});

describe.each(STORE_KINDS)('two cancels of a queued execution at once (%s store)', (kind) => {
  it('both answer true, and the second not before the end is stored', async () => {
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      maxConcurrentWorkflows: 1,
      actions: { wait: (_input, ctx) => untilAborted(ctx.signal) },
    });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'wait' }]);
    await orch.workflowEngine.executeWorkflow('w');
    const queued = await orch.workflowEngine.executeWorkflow('w');
    const answers: [string, boolean, string | undefined][] = [];
    const cancel = (who: string) =>
      orch.workflowEngine.cancelWorkflow(queued).then(async (answer) => {
        answers.push([who, answer, (await orch.workflowEngine.getExecutionStatus(queued))?.status]);
      });
    await Promise.all([cancel('first'), cancel('second'), cancel('third')]);
    expect(answers.map(([, answer, status]) => [answer, status])).toEqual([
      [true, 'cancelled'],
      [true, 'cancelled'],
      [true, 'cancelled'],
    ]);
    // Once ended, a cancel answers false as for any finished execution.
    expect(await orch.workflowEngine.cancelWorkflow(queued)).toBe(false);
  });
});

describe.each(STORE_KINDS)('a step that cancels its own execution (%s store)', (kind) => {
  it('gets true once the saga its cancel started has run, and the execution ends cancelled', async () => {
    const order: string[] = [];
    const orch = await withOrchestrator({
      store: storeUrl(kind),
      actions: {
        reserve: () => 'R-1',
        decide: async (_input, ctx) => {
          const answer = await orch.workflowEngine.cancelWorkflow(ctx.executionId);
          order.push(`cancel answered ${answer}`);
          return 'late';
        },
      },
      compensations: {
        release: () => {
          order.push('released');
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'reserve', compensation: 'release' },
      { name: 'decide' },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('w');
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
    expect(status.status).toBe('cancelled');
    expect(status.compensatedSteps).toEqual(['reserve']);
    // The step's output, returned after its execution was cancelled, is not recorded.
    expect(status.outputData).not.toHaveProperty('decide');
    await expect.poll(() => order).toEqual(['released', 'cancel answered true']);
  });
});

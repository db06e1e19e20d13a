/**
 * With `enableCompensation: false` a process never runs the compensations of a running execution
 * (it fails or is cancelled without them), so it needs no compensation handlers for one: it starts
 * such executions, and after a restart it must resume them too, rather than leave them in the store
 * as if it lacked a handler they need. Only an execution already compensating (an earlier process
 * began its saga) needs them.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock, type OrchestratorOptions, type StepContext } from '../../src/index.js';
import {
  finishWithClock,
  gate,
  memoryLogger,
  tempSqliteUrl,
  untilAborted,
  withOrchestrator,
} from '../helpers/orchestrator.js';

describe('enableCompensation false, no compensation handler registered', () => {
  const setup = () => {
    const store = tempSqliteUrl();
    const inFirst = gate();
    let restarted = false;
    const opts = (): OrchestratorOptions => ({
      store,
      enableCompensation: false,
      actions: {
        reserve: (_input: unknown, ctx: StepContext) => {
          if (restarted) return 'reserved';
          inFirst.open();
          return untilAborted(ctx.signal);
        },
        ship: () => 'shipped',
      },
    });
    const start = async () => {
      const first = await withOrchestrator(opts());
      await first.workflowEngine.defineWorkflow('order', [
        { name: 'reserve', compensation: 'release' },
        { name: 'ship' },
      ]);
      const id = await first.workflowEngine.executeWorkflow('order');
      await inFirst.promise;
      return { first, id };
    };
    const restart = () => {
      restarted = true;
      return withOrchestrator(opts());
    };
    return { start, restart };
  };

  it('resumes a running execution after a restart', async () => {
    const { start, restart } = setup();
    const { first, id } = await start();
    await first.close();
    const second = await restart();
    const status = await second.workflowEngine.waitForCompletion(id, { timeout: 5 });
    expect(status.status).toBe('completed');
    expect(status.outputData).toEqual({ reserve: 'reserved', ship: 'shipped' });
  });

  it('cancels a resumed execution (no compensation to run): cancelWorkflow answers true', async () => {
    const { start, restart } = setup();
    const { first, id } = await start();
    await first.close();
    const second = await restart();
    expect(await second.workflowEngine.cancelWorkflow(id)).toBe(true);
    const status = await second.workflowEngine.getExecutionStatus(id);
    expect(status?.status).toBe('cancelled');
    expect(status?.compensatedSteps).toEqual([]);
  });

  it('still needs them for an execution left compensating: leaves it to a process that has them', async () => {
    const store = tempSqliteUrl();
    const inUndo = gate();
    const undone: string[] = [];
    const handlers = {
      actions: {
        reserve: () => 'reserved',
        ship: () => {
          throw new Error('no carrier');
        },
      },
    };
    const first = await withOrchestrator({
      store,
      ...handlers,
      compensations: {
        release: (_output: unknown, ctx: StepContext) => {
          inUndo.open();
          return untilAborted(ctx.signal);
        },
      },
    });
    await first.workflowEngine.defineWorkflow('order', [
      { name: 'reserve', compensation: 'release' },
      { name: 'ship' },
    ]);
    const id = await first.workflowEngine.executeWorkflow('order');
    await inUndo.promise;
    await first.close();

    const without = await withOrchestrator({ store, enableCompensation: false, ...handlers });
    expect(without.getLocalLoad()).toEqual({ running: 0, queued: 0 });
    expect((await without.workflowEngine.getExecutionStatus(id))?.status).toBe('compensating');
    await without.close();

    const last = await withOrchestrator({
      store,
      enableCompensation: false,
      ...handlers,
      compensations: { release: (output: unknown) => void undone.push(String(output)) },
    });
    const status = await last.workflowEngine.waitForCompletion(id, { timeout: 5 });
    expect(status.status).toBe('failed');
    expect(undone).toEqual(['reserved']);
    expect(status.compensatedSteps).toEqual(['reserve']);
  });

  it("runs the version's other executions, and leaves the compensating one alone (not claimed every round)", async () => {
    const store = tempSqliteUrl();
    const clock = new FakeClock();
    const inUndo = gate();
    const inReserve = gate();
    let restarted = false;
    const fails = (input: unknown) => (input as { fail?: boolean }).fail === true;
    const actions = {
      reserve: (input: unknown, ctx: StepContext) => {
        if (restarted || fails(input)) return 'reserved';
        inReserve.open();
        return untilAborted(ctx.signal);
      },
      ship: (input: unknown) => {
        if (fails(input)) throw new Error('no carrier');
        return 'shipped';
      },
    };
    const first = await withOrchestrator({
      store,
      clock,
      actions,
      compensations: {
        release: (_output: unknown, ctx: StepContext) => {
          inUndo.open();
          return untilAborted(ctx.signal);
        },
      },
    });
    await first.workflowEngine.defineWorkflow('order', [
      { name: 'reserve', compensation: 'release' },
      { name: 'ship' },
    ]);
    const failing = await first.workflowEngine.executeWorkflow('order', { fail: true });
    await inUndo.promise;
    const running = await first.workflowEngine.executeWorkflow('order', {});
    await inReserve.promise;
    await first.close();
    restarted = true;

    const logger = memoryLogger();
    const second = await withOrchestrator({
      store,
      clock,
      logger,
      sweepInterval: 1,
      enableCompensation: false,
      actions,
    });
    const claimed: string[] = [];
    const claim = second.store.claimExecutions.bind(second.store);
    second.store.claimExecutions = async (request) => {
      const records = await claim(request);
      claimed.push(...records.map((r) => r.id));
      return records;
    };
    const status = await finishWithClock(second, clock, running, { stepMs: 500 });
    expect(status.status).toBe('completed');
    for (let i = 0; i < 10; i++) await clock.advance(1_000);
    expect(claimed).not.toContain(failing);
    expect((await second.workflowEngine.getExecutionStatus(failing))?.status).toBe('compensating');
    const warnings = logger.lines.filter((l) => l.msg?.startsWith('no handler here'));
    expect(warnings).toHaveLength(1);
  });
});

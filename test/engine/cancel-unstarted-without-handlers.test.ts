/**
 * Cancelling an execution that waited in the queue and never started, from a process without the
 * workflow's handlers (another service, the CLI's `cancel` without `--handlers`): no step ran, so
 * nothing is compensated and no handler is needed. It used to answer false and leave the execution
 * pending, the cancel stored for a process with the handlers, as for one that ran.
 */
import { describe, expect, it } from 'vitest';
import type { StepContext } from '../../src/index.js';
import { anyStoreUrl } from '../helpers/all-stores.js';
import { gate, memoryLogger, untilAborted, withOrchestrator } from '../helpers/orchestrator.js';

// The two durable stores: another process can open them (a memory store lives in one process).
describe.each(['sqlite', 'postgres'] as const)(
  'cancel of a never-started execution by a process without its handlers (%s)',
  (kind) => {
    it('cancels it at once; one that started still waits for a process with the handlers', async () => {
      const store = await anyStoreUrl(kind);
      const started = gate();
      const first = await withOrchestrator({
        store,
        maxConcurrentWorkflows: 1,
        actions: {
          reserve: (_input: unknown, ctx: StepContext) => {
            started.open();
            return untilAborted(ctx.signal);
          },
        },
        compensations: { release: () => undefined },
      });
      await first.workflowEngine.defineWorkflow('order', [
        { name: 'reserve', action: 'reserve', compensation: 'release' },
      ]);
      const running = await first.workflowEngine.executeWorkflow('order');
      const queued = await first.workflowEngine.executeWorkflow('order');
      await started.promise;
      expect((await first.workflowEngine.getExecutionStatus(queued))?.status).toBe('pending');
      await first.close();

      // Neither the action nor the compensation is registered here.
      const log = memoryLogger();
      const bare = await withOrchestrator({ store, logger: log });
      expect(await bare.workflowEngine.cancelWorkflow(queued)).toBe(true);
      const status = await bare.workflowEngine.getExecutionStatus(queued);
      expect(status).toMatchObject({ status: 'cancelled', compensatedSteps: [] });
      expect(status?.steps[0]).toMatchObject({ name: 'reserve', attempts: 0 });
      // The one that ran a step may owe its compensation: left for a process that has it.
      expect(await bare.workflowEngine.cancelWorkflow(running)).toBe(false);
      expect((await bare.workflowEngine.getExecutionStatus(running))?.status).toBe('running');
    });
  },
);

/**
 * The branches of a wide parallel step waiting on their retries at once each listen on their step's
 * abort signal: past 10, Node printed a MaxListenersExceededWarning ("Possible EventTarget memory
 * leak") for a normal workflow, though each listener goes once its wait ends.
 */
import { afterEach, expect, it } from 'vitest';
import { withOrchestrator } from '../helpers/orchestrator.js';

const warnings: Error[] = [];
const onWarning = (warning: Error) => warnings.push(warning);
afterEach(() => {
  process.off('warning', onWarning);
});

it('runs 30 branches waiting on their retries at once without a listener warning', async () => {
  process.on('warning', onWarning);
  const tried = new Set<string>();
  const orch = await withOrchestrator({
    actions: {
      flaky: (_input, ctx) => {
        // Each branch fails its first attempt, then waits on its backoff with the others.
        if (!tried.has(ctx.stepName)) {
          tried.add(ctx.stepName);
          throw new Error('first attempt fails');
        }
        return 'ok';
      },
    },
  });
  const branches = Array.from({ length: 30 }, (_, i) => ({
    name: `b${i}`,
    action: 'flaky',
    retry: { maxAttempts: 1, initialDelay: 0.05 },
  }));
  await orch.workflowEngine.defineWorkflow('wide', [{ name: 'fan', parallel: branches }]);
  const id = await orch.workflowEngine.executeWorkflow('wide');
  const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 10 });
  expect(status.status).toBe('completed');
  expect(tried.size).toBe(30);
  // Warnings are emitted on the next tick.
  await new Promise((resolve) => setImmediate(resolve));
  expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
});

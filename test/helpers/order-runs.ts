/**
 * Three runs of an `order` workflow on a store, with a fake clock, by a node then closed — for the
 * tests of the performance figures read back from the store (`?source=store`, `orchestrator
 * performance`): one plain, one whose `charge` (1.5 s) fails once and is retried after 1 s, one
 * whose `ship` (0.2 s) fails, so that `reserve` is compensated (0.3 s). `check` is a condition.
 * @module
 */
import { createOrchestrator, FakeClock } from '../../src/index.js';
import { type WorkflowPerformance, workflowPerformance } from '../../src/performance/workflow-performance.js';
import type { ActionHandler } from '../../src/types.js';
import { finishWithClock } from './orchestrator.js';

const STEPS = [
  { name: 'reserve', action: 'reserve', compensation: 'release' },
  { name: 'charge', action: 'charge', timeout: 2, retry: { maxAttempts: 2, initialDelay: 1 } },
  { name: 'check', condition: 'true' },
  { name: 'ship', action: 'ship' },
];

/** Runs the three executions on `store`; the figures the node that ran them recorded. */
export async function runOrders(store: string): Promise<WorkflowPerformance> {
  const clock = new FakeClock();
  const charge: ActionHandler = async (input, ctx) => {
    await clock.sleep(1_500);
    if (ctx.attempt === 1 && (input as { retryOnce?: boolean }).retryOnce) throw new Error('declined once');
    return { charged: true };
  };
  const ship: ActionHandler = async (input) => {
    await clock.sleep(200);
    if ((input as { fail?: boolean }).fail) throw new Error('no courier');
    return { shipped: true };
  };
  const node = await createOrchestrator({
    store,
    clock,
    actions: { reserve: () => ({ reserved: true }), charge, ship },
    compensations: { release: () => clock.sleep(300).then(() => undefined) },
  });
  try {
    await node.workflowEngine.defineWorkflow('order', STEPS as never);
    for (const input of [{}, { retryOnce: true }, { fail: true }]) {
      const id = await node.workflowEngine.executeWorkflow('order', input);
      await finishWithClock(node, clock, id, { stepMs: 100 });
    }
    return workflowPerformance(node.performanceOptimizer, 'order');
  } finally {
    await node.close();
  }
}

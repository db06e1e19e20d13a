/**
 * A node whose first step runs until the test lets it end: for the lease tests that let time pass,
 * fail renewals or hold a round while a step is running.
 * @module
 */
import { onTestFinished } from 'vitest';
import { createOrchestrator, FakeClock } from '../../src/index.js';
import type { Store } from '../../src/store/store.js';
import { gate } from './orchestrator.js';

/**
 * A node on `store` (3 s leases, a round every 1 s, a fake clock) running workflow `w`: `first`
 * waits until `first.open(output)`, then `second` answers how many times it ran. The execution has
 * started and `first` is running; `runs` counts each step's runs. The node is closed when the test
 * ends, its step let go first.
 */
export async function gatedFirstStep(store: Store) {
  const clock = new FakeClock();
  const first = gate<number>();
  const runs = { first: 0, second: 0 };
  const orch = await createOrchestrator({
    store,
    clock,
    leaseSeconds: 3,
    sweepInterval: 1,
    actions: {
      first: () => {
        runs.first++;
        return first.promise;
      },
      second: () => ++runs.second,
    },
  });
  onTestFinished(async () => {
    first.open(1);
    await orch.close();
  });
  await orch.workflowEngine.defineWorkflow('w', [{ name: 'first' }, { name: 'second' }]);
  const id = await orch.workflowEngine.executeWorkflow('w');
  while (runs.first === 0) await clock.advance(10);
  return { clock, orch, first, runs, id };
}

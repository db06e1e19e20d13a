/**
 * What the store-failure backoff tests share on every store kind: an orchestrator on a given store
 * (housekeeping every second of a fake clock) whose actions `first` and `second` return `big`,
 * recording the clock's time of each run, and the rounds, gaps and counts they assert on. Each
 * test file adds its own way of making the store refuse the big write.
 */
import { FakeClock, type Orchestrator } from '../../src/index.js';
import type { Store } from '../../src/store/store.js';
import { memoryLogger, withOrchestrator } from '../helpers/orchestrator.js';

/** The orchestrator, its clock and logger, the run times by action, and how often a run was given up. */
export async function backoffRig(store: Store, big: string) {
  const clock = new FakeClock();
  const logger = memoryLogger();
  const runs: Record<string, number[]> = { first: [], second: [] };
  const orch = await withOrchestrator({
    store,
    clock,
    sweepInterval: 1,
    logger,
    actions: {
      first: () => {
        runs.first!.push(clock.now());
        return big;
      },
      second: () => {
        runs.second!.push(clock.now());
        return big;
      },
    },
  });
  // Each run given up logs this error once.
  const givenUp = () =>
    logger.lines.filter(
      (l) => l.level === 'error' && l.msg === 'store write failed; execution will be resumed',
    ).length;
  return { orch, clock, logger, runs, givenUp };
}

/**
 * Advances the clock a round (a second) at a time, letting each round run, until `done()`. (A round
 * that takes longer than the real wait only makes the times of the runs later.)
 */
export async function roundsUntil(clock: FakeClock, done: () => boolean, most = 120): Promise<void> {
  for (let i = 0; i < most && !done(); i++) {
    await clock.advance(1_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The time between consecutive runs, ms. */
export function gaps(times: number[]): number[] {
  return times.slice(1).map((t, i) => t - times[i]!);
}

/** The stored status of execution `id`. */
export async function statusOf(orch: Orchestrator, id: string) {
  return (await orch.store.getExecution(id))?.execution.status;
}

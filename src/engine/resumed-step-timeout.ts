/**
 * The timeout of a parallel step an execution was in when its process stopped. It counts from the
 * step's stored start (SPEC §6: timeouts are absolute times that survive restarts), so it may pass
 * while the resumed execution waits in the queue for a slot, where no timer of the step runs: the
 * queue watches it as it watches the workflow's deadline, and a stop that comes after it passed (a
 * cancel) finds the step timed out, as it does once the step runs (`AbortScope.expireAllIfLate`).
 * (An action step's timeout is its attempt's: the attempt the restart cut short runs again, with
 * its own.)
 * @module
 */
import type { ActiveExecution } from './active-execution.js';

/**
 * When the parallel step at `ex`'s cursor, stored running, times out (clock ms); null when `ex`
 * is not in one, it has no timeout, or every branch completed (then it completes, whenever its
 * timeout passes).
 */
export function resumedStepTimeoutAt(ex: ActiveExecution): number | null {
  const r = ex.record;
  if (r.status !== 'running') return null;
  const step = ex.plan.steps[r.cursor];
  if (step?.kind !== 'parallel' || step.timeoutMs === null) return null;
  const rec = ex.steps.get(step.name);
  if (rec?.status !== 'running' || rec.startedAt === null) return null;
  if (step.branches.every((b) => ex.steps.get(b.name)?.status === 'completed')) return null;
  return rec.startedAt + step.timeoutMs;
}

/**
 * Marks `ex`, not started yet, as having timed out in its parallel step when that step's timeout
 * passed by `now` and before its workflow's deadline (at the same time, the workflow's first, as
 * their timers would fire): its runner then fails the step with STEP_TIMEOUT though a stop (a
 * cancel, the workflow timeout) comes before it enters it (see `ActiveExecution.stepTimedOut`).
 */
export function markResumedStepTimeout(ex: ActiveExecution, now: number): void {
  const at = resumedStepTimeoutAt(ex);
  if (at === null || at > now) return;
  const deadline = ex.record.deadlineAt;
  if (deadline === null || at < deadline) ex.stepTimedOut = true;
}

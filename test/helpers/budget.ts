/**
 * A time budget for a long test (the fuzzes) that, once spent, says what the test was waiting for
 * — its phase, the executions not ended, the last journal lines — instead of the test runner's
 * bare "Test timed out" (give the test a timeout somewhat longer than the budget, for the report).
 * @module
 */

/** Where a long test is: set `now` at each phase (what it waits for next). */
export interface Phase {
  now: string;
}

/** A budget overrun, with the report of what was awaited. */
export class BudgetOverrun extends Error {
  override readonly name = 'BudgetOverrun';
}

/**
 * `work`'s result, or once `ms` passed a BudgetOverrun naming `phase.now` and what `report`
 * tells (a report that throws is named as such). `stop` then ends what `work` left running;
 * `work`'s later failure, if any, is dropped (the overrun is the failure reported).
 */
export async function withinBudget<T>(
  work: Promise<T>,
  ms: number,
  phase: Phase,
  report: () => string | Promise<string>,
  stop: () => void = () => undefined,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const spent = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(async () => {
      const at = phase.now;
      let said: string;
      try {
        said = await report();
      } catch (error) {
        said = `(the report failed: ${String(error)})`;
      }
      stop();
      reject(new BudgetOverrun(`budget of ${ms} ms spent while ${at}\n${said}`));
    }, ms);
  });
  try {
    return await Promise.race([work, spent]);
  } finally {
    clearTimeout(timer);
    work.catch(() => undefined);
  }
}

/**
 * The order an execution's compensations ran in, for the timeline's rows: fast handlers start
 * several in one millisecond, so their start times tie. The engine runs them one at a time in
 * reverse order of completion, which the status tells only in part: `compensatedSteps` names the
 * completed ones in the order they ran (a step once per completed visit, its newest visit first),
 * and the one still in progress (running, or waiting for its retry) started last. A compensation
 * that failed for good keeps the place guessed from the definition: later steps, and later visits
 * of a step, first.
 * @module
 */
import type { CompensationStatus } from '../../types.js';

/** One compensation of the status: of `step`'s earlier `visit`, or (visit null) of its current one. */
export interface ShownCompensation {
  step: string;
  visit: number | null;
  c: CompensationStatus;
}

/**
 * The place of each compensation in the order they ran (0 first). `found` lists them in the order
 * of the definition (a step's earlier visits, oldest first, before its current one).
 */
export function compensationRanks<T extends ShownCompensation>(
  found: readonly T[],
  compensatedSteps: readonly string[],
): Map<T, number> {
  const guess = found.slice().reverse();
  // Each step's completed compensations, newest visit first, as `compensatedSteps` names them.
  const completed = new Map<string, T[]>();
  for (const f of guess) {
    if (f.c.status !== 'completed') continue;
    const list = completed.get(f.step) ?? [];
    list.push(f);
    completed.set(f.step, list);
  }
  for (const list of completed.values()) list.sort((a, b) => visitOrder(b) - visitOrder(a));
  const ran: T[] = [];
  for (const step of compensatedSteps) {
    const next = completed.get(step)?.shift();
    if (next) ran.push(next);
  }
  // The completed ones take, in the order they ran, the places the guess gave them all.
  const named = new Set(ran);
  let i = 0;
  const ordered = guess.map((f) => (named.has(f) ? ran[i++]! : f));
  // The one in progress started after every other had ended.
  const inProgress = ordered.filter((f) => f.c.status === 'running');
  const ended = ordered.filter((f) => f.c.status !== 'running');
  return new Map([...ended, ...inProgress].map((f, rank) => [f, rank]));
}

/** A visit's place among its step's visits: the current one after every earlier one. */
function visitOrder(f: ShownCompensation): number {
  return f.visit ?? Number.POSITIVE_INFINITY;
}

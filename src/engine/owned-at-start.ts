/**
 * What a node restarted under a configured id held when it started: counted as its own in the
 * metrics and taken up again by `recover` (see `takeover.ts`). Both must come from the same read:
 * an execution another node claimed between a count and a list would be counted as this node's
 * and, once the other processes' counts are read again, as that node's too; one placed here in
 * between would be taken up as counted without having been.
 * @module
 */
import { describeValue } from '../describe-value.js';
import { echo } from '../echo.js';
import { OrchestratorError } from '../errors.js';
import type { OwnedRead, Store } from '../store/store.js';

/**
 * Reads what `owner` holds: in one read with `Store.readOwned`; from a store without it (a custom
 * one) in two, as before that method existed, the count first.
 * @throws OrchestratorError `UNSUPPORTED` when `readOwned` answers something other than an
 *   {@link OwnedRead} of `owner` (see {@link ownedReadProblem}); the store's error when a read fails.
 */
export async function readOwnedAtStart(store: Store, owner: string): Promise<OwnedRead> {
  if (store.readOwned) {
    const read: unknown = await store.readOwned(owner);
    const problem = ownedReadProblem(read, owner);
    if (problem === null) return read as OwnedRead;
    throw new OrchestratorError(
      'UNSUPPORTED',
      `The ${store.kind} store's readOwned(${echo(owner)}) answered what the Store port does not allow: ${problem}`,
    );
  }
  const byWorkflow = await store.aggregateByWorkflow({ owner });
  const ids = store.durable ? await store.listOwned(owner, Number.MAX_SAFE_INTEGER) : [];
  const unfinished =
    ids.length > 0 ? (await store.getExecutions(ids)).map((snapshot) => snapshot.execution) : [];
  return { byWorkflow, unfinished };
}

/**
 * What is wrong with a custom store's `readOwned` answer, if anything. Taken as it was, a list of
 * ids (what `listOwned` answers) or of another owner's records would leave this node's executions
 * held by its id, their leases renewed, and never run; a plain object for the counts would fail
 * later with a bare TypeError.
 */
function ownedReadProblem(read: unknown, owner: string): string | null {
  if (read === null || typeof read !== 'object') {
    return `expected { byWorkflow, unfinished }, got ${describeValue(read)}`;
  }
  const { byWorkflow, unfinished } = read as Partial<OwnedRead>;
  if (!(byWorkflow instanceof Map)) {
    return `byWorkflow: expected a Map of workflow id to counts, got ${describeValue(byWorkflow)}`;
  }
  if (!Array.isArray(unfinished)) {
    return `unfinished: expected an array of execution records, got ${describeValue(unfinished)}`;
  }
  for (const [i, record] of unfinished.entries()) {
    const { id, owner: held } = (record ?? {}) as { id?: unknown; owner?: unknown };
    if (typeof record !== 'object' || typeof id !== 'string') {
      return `unfinished[${i}]: expected an execution record, got ${describeValue(record)}`;
    }
    if (held !== owner) {
      return `unfinished[${i}] (${echo(id)}): expected an execution owned by ${echo(owner)}, got one owned by ${describeValue(held)}`;
    }
  }
  return null;
}

/**
 * What a node restarted under a configured id held when it started: counted as its own in the
 * metrics and taken up again by `recover` (see `takeover.ts`). Both must come from the same read:
 * an execution another node claimed between a count and a list would be counted as this node's
 * and, once the other processes' counts are read again, as that node's too; one placed here in
 * between would be taken up as counted without having been.
 * @module
 */
import type { OwnedRead, Store } from '../store/store.js';

/**
 * Reads what `owner` holds: in one read with `Store.readOwned`; from a store without it (a custom
 * one) in two, as before that method existed, the count first.
 */
export async function readOwnedAtStart(store: Store, owner: string): Promise<OwnedRead> {
  if (store.readOwned) return store.readOwned(owner);
  const byWorkflow = await store.aggregateByWorkflow({ owner });
  const ids = store.durable ? await store.listOwned(owner, Number.MAX_SAFE_INTEGER) : [];
  const unfinished =
    ids.length > 0 ? (await store.getExecutions(ids)).map((snapshot) => snapshot.execution) : [];
  return { byWorkflow, unfinished };
}

/**
 * A retry with an idempotency key already used gets the id that key was given (SPEC §4: same key
 * → same execution id), also when a new execution would now be refused: the workflow is no longer
 * defined, its latest version is one this release cannot run (a newer release defined it), or no
 * worker or cluster node is left to place it on. The store create finds a used key on its own, but
 * a refused call never reaches it; so a refusal with a key first asks the store who holds the key.
 *
 * Only refusals pay for that lookup (one indexed lookup by key, one round trip), and only with a
 * key: an accepted call, with a key or without, reads nothing more than before. A key held by an
 * execution of another workflow, a key never used and a key freed by retention (purged or
 * evicted) leave the refusal as it was; so does a custom store without `findByIdempotencyKey`. A
 * lookup that fails (the store is unreachable) fails the call with the store's error: whether
 * the key was used is then not known.
 *
 * The first call with the key may still be creating its execution (its write queued in the group
 * commit, not yet committed): a refusal first waits for the creates with its key under way in this
 * process (`keys-in-creation.ts`). One that stored an execution of the same workflow gives its id;
 * one that failed, or found the key already held, leaves the answer to the store lookup. A create
 * under way in another process (another node on one PostgreSQL database, another process on one
 * SQLite file) is waited for by the lookup itself once that create's row is written (see
 * `store/postgres/key-holder.ts`; SQLite reads under the write lock); past the store's timeout the
 * lookup fails, as above. A create still queued in that other process is not known to anyone yet:
 * the refusal stands, and that create may commit after it (docs/scaling.md, Limits).
 * @module
 */
import type { Store } from '../store/store.js';
import type { KeysInCreation } from './keys-in-creation.js';

/**
 * The id of the execution of `workflowId` that holds `key` (once the creates of this process with
 * `key` under way ended); else throws `refusal`.
 * @throws `refusal` unless a stored execution of `workflowId` holds `key`; the store's error when
 *   the lookup fails.
 */
export async function heldOrRefused(
  store: Store,
  inCreation: KeysInCreation,
  key: string | undefined,
  workflowId: string,
  refusal: Error,
): Promise<string> {
  if (key === undefined) throw refusal;
  const created = await inCreation.settled(key);
  if (created !== null && created.workflowId === workflowId) return created.id;
  if (typeof store.findByIdempotencyKey !== 'function') throw refusal;
  const holder = await store.findByIdempotencyKey(key);
  if (holder !== null && holder.workflowId === workflowId) return holder.id;
  throw refusal;
}

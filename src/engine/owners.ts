/**
 * Whether an execution's owner is known dead (see `../local-owners.ts` for this host's nodes).
 * @module
 */
import { isDeadLocalOwner } from '../local-owners.js';

/**
 * Whether `owner` is known dead: a node of this pid space whose process is gone, or one the store
 * can tell has stopped (`Store.ownerGone`: the SQLite store, for any process on the host).
 */
export function ownerKnownDead(owner: string, store: { ownerGone?(owner: string): boolean }): boolean {
  return isDeadLocalOwner(owner) || store.ownerGone?.(owner) === true;
}

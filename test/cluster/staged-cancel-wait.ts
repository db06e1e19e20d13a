/**
 * Stages the race of a cancel from this node with this node's own housekeeping round (see
 * `cancelStored` in src/engine/cancellation.ts): the cancel waits through the store for the owner
 * of execution `id` (another node) to apply its request, while this node's round claims `id` and
 * has not adopted it yet. Wrapping a node's store, it makes the wait read `id` owned by this node,
 * under a lease of its own, past the wait's first deadline — by events, not sleeps:
 * - the wait's first read goes through (it sees the other owner's lease); so do its later ones as
 *   long as `passDeadline` is given (then called once a read comes a lease after the first: the
 *   wait's first deadline has passed), else they are held from the second on;
 * - held reads wait for the round's claim of `id`, so the wait never sees `id` unowned or its lease
 *   run out (whence it would claim `id` itself);
 * - the round's adoption of `id` waits until the wait has read `id` owned by this node a lease
 *   after its first read.
 * A wait that took such a read for another owner renewing its lease would answer false.
 * @module
 */
import type { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { gate } from '../helpers/orchestrator.js';

export interface StagedCancelWait {
  /** Whether the round's adoption of `id` was held until the wait read `id` owned by this node. */
  adoptionHeld(): boolean;
  /** Settles once `passDeadline` (if called) has. */
  settled(): Promise<void>;
}

/** Whether a read comes from the cancel's wait (not from `cannotRun` before it, nor an adoption). */
function fromWait(stack: string): boolean {
  return /\bcancelStored\b/.test(stack) && !/\bcannotRun\b/.test(stack) && !/\badopt\b/.test(stack);
}

/**
 * Wraps `pg` (the store of the node `nodeId()` names, leases of `leaseMs`) as the module comment
 * says; call before the cancel.
 */
export function stageCancelWait(
  pg: PostgresStore,
  id: string,
  nodeId: () => string,
  leaseMs: number,
  passDeadline?: () => Promise<void>,
): StagedCancelWait {
  const claimedByRound = gate();
  const ownedHereSeen = gate();
  let held = false;
  let firstRead: number | null = null;
  let passing: Promise<void> | null = null;
  const claim = pg.claimExecutions.bind(pg);
  pg.claimExecutions = async (request) => {
    const got = await claim(request);
    if (!request.ids && got.some((r) => r.id === id)) claimedByRound.open();
    return got;
  };
  const read = pg.getExecution.bind(pg);
  pg.getExecution = async (asked) => {
    if (asked !== id) return read(asked);
    const stack = new Error().stack ?? '';
    if (/\badopt\b/.test(stack)) {
      held = true;
      await ownedHereSeen.promise;
      return read(asked);
    }
    if (!fromWait(stack)) return read(asked);
    if (firstRead === null) firstRead = Date.now();
    else if (!passDeadline || passing) await claimedByRound.promise;
    const snapshot = await read(asked);
    const pastDeadline = Date.now() > firstRead + leaseMs;
    if (pastDeadline && snapshot?.execution.owner === nodeId()) ownedHereSeen.open();
    if (pastDeadline && passDeadline && !passing) passing = passDeadline();
    return snapshot;
  };
  return { adoptionHeld: () => held, settled: async () => void (await passing) };
}

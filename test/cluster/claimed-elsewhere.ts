/**
 * A claim by "another node" of an execution whose lease ran out, made on that node's own store,
 * and the check that the execution stays that node's: for the tests of a node that must let such
 * an execution go rather than run its step.
 */
import { expect } from 'vitest';
import type { Store } from '../../src/store/store.js';

/** The owner the claim stores. */
export const OTHER_NODE = 'another-node';

/**
 * Claims execution `id` for {@link OTHER_NODE} at `now` (its lease ran out by then), for 30 s;
 * returns the claim's epoch.
 */
export async function claimElsewhere(store: Store, id: string, now: number): Promise<number> {
  const claimed = await store.claimExecutions({
    owner: OTHER_NODE,
    leaseUntil: now + 30_000,
    now,
    ids: [id],
    limit: 1,
  });
  expect(claimed.map((r) => r.id)).toEqual([id]);
  return claimed[0]!.epoch;
}

/** Execution `id` is still {@link OTHER_NODE}'s, at the `epoch` of its claim. */
export async function expectStillElsewhere(store: Store, id: string, epoch: number): Promise<void> {
  const stored = (await store.getExecution(id))!.execution;
  expect(stored.owner).toBe(OTHER_NODE);
  expect(stored.epoch).toBe(epoch);
}

/**
 * An execution this node gave up after a store failure is still this node's in the store, its
 * lease renewed by this node, so no other node takes it: this node must take it up again, not
 * leave it held and unrun for as long as it lives — also when the read that follows the claim
 * fails (the connection dropped between the two), or when the claim skips it (PostgreSQL claims
 * skip rows another transaction has locked: a cancel request being written, an admin's session).
 */
import { describe, expect, it, vi } from 'vitest';
import type { FakeClock, Orchestrator } from '../../src/index.js';
import { givenUpExecution } from '../helpers/given-up-execution.js';

/** Advances the clock round by round until `id` is stored completed. */
async function completesLater(
  orch: Orchestrator,
  clock: FakeClock,
  id: string,
  read = orch.store.getExecution.bind(orch.store),
) {
  await vi.waitFor(
    async () => {
      await clock.advance(1_000);
      expect((await read(id))?.execution.status).toBe('completed');
    },
    { timeout: 3_000, interval: 20 },
  );
  expect(orch.getMetrics().executions).toMatchObject({ total: 1, running: 0, completed: 1 });
}

describe('an execution taken up whose read fails', () => {
  it('is taken up again at a later round and completes', async () => {
    let down = true;
    const { orch, clock, id } = await givenUpExecution(() => down);
    const { store } = orch;
    const read = store.getExecution.bind(store);
    // Then one read fails: the one that takes it up again, right after its claim committed.
    let readFailures = 1;
    vi.spyOn(store, 'getExecution').mockImplementation((eid) =>
      readFailures-- > 0 ? Promise.reject(new Error('connection lost')) : read(eid),
    );
    down = false;
    await completesLater(orch, clock, id, read);
    expect(readFailures).toBeLessThan(0);
  });

  it('is taken up again at a later round when the claim that would take it up skips it', async () => {
    let down = true;
    const { orch, clock, id } = await givenUpExecution(() => down);
    const { store } = orch;
    const claim = store.claimExecutions.bind(store);
    // The first claim that names it finds its row locked by another transaction: it skips it.
    let skips = 1;
    vi.spyOn(store, 'claimExecutions').mockImplementation(async (request) => {
      if (request.ids?.includes(id) && skips-- > 0) return [];
      return claim(request);
    });
    down = false;
    await completesLater(orch, clock, id);
    expect(skips).toBeLessThan(0);
  });
});

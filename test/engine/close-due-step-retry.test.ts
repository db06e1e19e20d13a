/**
 * `close()` starts no handler on a durable store, also not a step's retry: a retry waiting for its
 * backoff halts at once (the stored retry time resumes it on the next start), and so must one whose
 * retry time passed while its failure was being written (a short `initialDelay`, a slow store),
 * which has no timer to halt on. It resumes on the next start as the step's next attempt.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Clock, systemClock } from '../../src/clock.js';
import { createOrchestrator, type Orchestrator, SqliteStore } from '../../src/index.js';
import { holdableRounds } from '../helpers/held-round.js';
import { gate, tempDir } from '../helpers/orchestrator.js';

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('close() and a step retry already due', () => {
  it('starts no further attempt once close() was called; the next start runs it', async () => {
    const file = join(tempDir(), 'store.sqlite');
    const store = new SqliteStore(file);
    // Keeps close() waiting for the housekeeping round under way until released.
    const round = holdableRounds(store);
    // The real clock, moved on by the write of the failed attempt (a store slower than the backoff).
    let offset = 0;
    const clock: Clock = { ...systemClock, now: () => systemClock.now() + offset };
    const update = store.update.bind(store);
    store.update = async (u) => {
      await update(u);
      if (u.steps?.some((s) => s.status === 'waiting')) offset += 50;
    };
    const attempts: number[] = [];
    let closing: Promise<void> | undefined;
    let orch: Orchestrator | undefined;
    const firstTry = gate();
    orch = await createOrchestrator({
      store,
      clock,
      sweepInterval: 0.01,
      actions: {
        charge: async (_input, ctx) => {
          attempts.push(ctx.attempt);
          await firstTry.promise;
          // The node is told to stop while this attempt ends in a retryable failure.
          closing = orch!.close();
          throw new Error('card service busy');
        },
      },
    });
    await orch.workflowEngine.defineWorkflow('w', [
      { name: 'charge', retry: { maxAttempts: 3, initialDelay: 0.01 } },
    ]);
    const failed = new Promise<void>((resolve) => orch!.once('step.failed', () => resolve()));
    const id = await orch.workflowEngine.executeWorkflow('w');
    await round.hold();
    firstTry.open();
    await failed;
    await flush();
    await flush();
    round.release();
    await closing;
    expect(attempts).toEqual([1]);

    const next = await createOrchestrator({
      store: `sqlite:${file}`,
      actions: { charge: (_input, ctx) => attempts.push(ctx.attempt) },
    });
    const status = await next.workflowEngine.waitForCompletion(id, { timeout: 10 });
    await next.close();
    expect(status.status).toBe('completed');
    expect(attempts).toEqual([1, 2]);
  });
});

/**
 * A node that stalled past its lease while running a step: meanwhile another node took the
 * execution over, finished it, and retention deleted it. At its next housekeeping round the
 * stalled node must stop its copy as it does when the execution is still stored under another
 * owner: the handler's `ctx.signal` aborts, the node says it lost the lease, and no store write
 * fails for an execution that has ended elsewhere.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeClock, type StepContext } from '../../src/index.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { gate, memoryLogger, tempDir, until, withOrchestrator } from '../helpers/orchestrator.js';

describe('an execution deleted by retention after another node finished it', () => {
  it('is stopped on the stalled node that still ran it, as a lost lease', async () => {
    const path = join(tempDir(), 'store.sqlite');
    const clock = new FakeClock();
    const logger = memoryLogger();
    const step = gate();
    let signal: AbortSignal | undefined;
    let secondRuns = 0;
    const a = await withOrchestrator({
      store: `sqlite:${path}`,
      clock,
      logger,
      sweepInterval: 1,
      leaseSeconds: 30,
      actions: {
        first: async (_input: unknown, ctx: StepContext) => {
          signal = ctx.signal;
          await step.promise;
        },
        second: () => {
          secondRuns++;
        },
      },
    });
    await a.workflowEngine.defineWorkflow('wf', [
      { name: 'one', action: 'first' },
      { name: 'two', action: 'second' },
    ]);
    const id = await a.workflowEngine.executeWorkflow('wf');
    await until(() => signal !== undefined);
    const b = new SqliteStore(path);
    await b.init();
    // a has stored the step's start (nothing more is owed).
    await until(async () => (await b.getExecution(id))?.steps.some((s) => s.name === 'one') ?? false);

    // Node b, seeing a's lease run out, takes it over and finishes it; retention deletes it.
    const later = clock.now() + 31_000;
    const [taken] = await b.claimExecutions({
      owner: 'b',
      leaseUntil: later + 30_000,
      now: later,
      ids: [id],
      limit: 1,
    });
    expect(taken?.id).toBe(id);
    await b.update({ id, epoch: taken!.epoch, set: { status: 'completed', completedAt: later } });
    expect(await b.purgeFinished({ before: later + 1, limit: 10 })).toBe(1);
    await b.close();

    // a's next renewal of its leases (a third of a lease on) finds the execution gone.
    await clock.advance(11_000);
    await until(() => signal!.aborted);
    expect(logger.lines.map((l) => l.msg)).toContain(
      'lease lost; the execution ended on another node and was deleted (retention)',
    );
    step.open();
    await clock.advance(1_000);
    expect(await a.workflowEngine.getExecutionStatus(id)).toBeNull();
    expect(secondRuns).toBe(0);
    expect(logger.lines.filter((l) => /failed/.test(l.msg ?? ''))).toEqual([]);
  });
});

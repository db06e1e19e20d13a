/**
 * An execution that ends on resume before its step, stored as running, runs again (its workflow
 * timeout passed, or a cancel was stored, while no node ran it; a branch whose parallel step's
 * timeout passed): the attempt its process stopped in ended then, cut short (`INTERRUPTED`, as a
 * step that runs again shows it), not at the resume as `CANCELLED` after running through all the
 * time no process was up.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeClock, type StepContext } from '../../src/index.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { finishWithClock, tempDir, untilAborted, withOrchestrator } from '../helpers/orchestrator.js';

const INTERRUPTED = {
  code: 'INTERRUPTED',
  message: 'The node running this attempt stopped before it finished',
};

/** An orchestrator on a fresh SQLite file whose step `hangs` runs until stopped; closed while it runs. */
async function leftRunning(clock: FakeClock) {
  const file = join(tempDir(), 'orchestrator.sqlite');
  const options = {
    store: `sqlite:${file}`,
    clock,
    actions: {
      ok: () => 1,
      hangs: (_input: unknown, ctx: StepContext) => untilAborted(ctx.signal),
    },
  };
  const first = await withOrchestrator(options);
  await first.workflowEngine.defineWorkflow('w', [{ name: 'ok' }, { name: 'hangs' }], { timeout: 10 });
  const id = await first.workflowEngine.executeWorkflow('w');
  await clock.advance(2000);
  await first.close();
  return { file, options, id };
}

describe('a step stored as running when its execution ends on resume', () => {
  it('keeps its attempt INTERRUPTED when the workflow timeout passed while no node ran it', async () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    const { options, id } = await leftRunning(clock);
    // Down for an hour: the workflow's timeout passes meanwhile.
    await clock.advance(3_600_000);
    const second = await withOrchestrator(options);
    const status = await finishWithClock(second, clock, id);

    expect(status.status).toBe('failed');
    expect(status.error?.code).toBe('WORKFLOW_TIMEOUT');
    const step = status.steps[1];
    // The step ends with its execution (cancelled, now); its attempt ended when its process stopped.
    expect(step).toMatchObject({ name: 'hangs', status: 'cancelled', attempts: 1 });
    expect(step?.completedAt?.getTime()).toBe(t0 + 3_602_000);
    expect(step?.history).toEqual([{ attempt: 1, startedAt: new Date(t0), error: INTERRUPTED }]);
    // The same after another restart: as stored.
    await second.close();
    const third = await withOrchestrator(options);
    expect((await third.workflowEngine.getExecutionStatus(id))?.steps[1]?.history).toEqual(step?.history);
  });

  it('keeps its attempt INTERRUPTED when a cancel was stored while no node ran it', async () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    const { file, options, id } = await leftRunning(clock);
    await clock.advance(5000);
    const store = new SqliteStore(file);
    await store.init();
    try {
      expect(await store.requestCancel(id)).not.toBeNull();
    } finally {
      await store.close();
    }
    const second = await withOrchestrator(options);
    const status = await finishWithClock(second, clock, id);

    expect(status.status).toBe('cancelled');
    expect(status.steps[1]).toMatchObject({ name: 'hangs', status: 'cancelled', attempts: 1 });
    expect(status.steps[1]?.history).toEqual([{ attempt: 1, startedAt: new Date(t0), error: INTERRUPTED }]);
  });

  it("keeps a branch's attempt INTERRUPTED when its parallel step's timeout passed while no node ran it", async () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    const file = join(tempDir(), 'orchestrator.sqlite');
    const options = {
      store: `sqlite:${file}`,
      clock,
      actions: { hangs: (_input: unknown, ctx: StepContext) => untilAborted(ctx.signal) },
    };
    const first = await withOrchestrator(options);
    await first.workflowEngine.defineWorkflow('p', [
      { name: 'both', timeout: 5, parallel: [{ name: 'b1', action: 'hangs' }] },
    ]);
    const id = await first.workflowEngine.executeWorkflow('p');
    await clock.advance(2000);
    await first.close();
    await clock.advance(60_000);
    const second = await withOrchestrator(options);
    const status = await finishWithClock(second, clock, id);

    expect(status.error?.code).toBe('STEP_TIMEOUT');
    const branch = status.steps[0]?.branches?.[0];
    expect(branch).toMatchObject({ name: 'b1', status: 'cancelled', attempts: 1 });
    expect(branch?.history).toEqual([{ attempt: 1, startedAt: new Date(t0), error: INTERRUPTED }]);
  });
});

describe('a parallel step stored as running, resumed to completion', () => {
  it('shows one run of the step, from its start to its end, without an error; its branch the interruption', async () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    const file = join(tempDir(), 'orchestrator.sqlite');
    let hang = true;
    const options = {
      store: `sqlite:${file}`,
      clock,
      actions: {
        quick: () => 1,
        slow: (_input: unknown, ctx: StepContext) => (hang ? untilAborted(ctx.signal) : 2),
      },
    };
    const first = await withOrchestrator(options);
    await first.workflowEngine.defineWorkflow('p', [
      { name: 'both', parallel: [{ name: 'quick' }, { name: 'slow' }] },
    ]);
    const id = await first.workflowEngine.executeWorkflow('p');
    await clock.advance(2000);
    await first.close();
    hang = false;
    await clock.advance(5000);
    const second = await withOrchestrator(options);
    const status = await finishWithClock(second, clock, id);

    expect(status.status).toBe('completed');
    const step = status.steps[0];
    expect(step).toMatchObject({ status: 'completed', attempts: 1 });
    expect(step?.history).toEqual([
      { attempt: 1, startedAt: new Date(t0), completedAt: new Date(t0 + 7000), durationMs: 7000 },
    ]);
    expect(step?.branches?.[1]?.history?.map((a) => a.error?.code)).toEqual(['INTERRUPTED', undefined]);
  });
});

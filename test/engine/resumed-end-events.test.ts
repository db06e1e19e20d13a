/**
 * An execution that ends on resume before its open step goes on (a cancel stored, or its
 * workflow's timeout passed, while no node ran it) stores that step as cancelled, and says so with
 * `step.cancelled`, as a step stopped while its execution ran does: a step waiting for its retry
 * (whose `step.failed` promised one with `retryAt`), or one stored running whose attempt its
 * process cut short. Its events match what is stored.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FakeClock,
  type OrchestratorEvents,
  type OrchestratorOptions,
  type StepContext,
} from '../../src/index.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { finishWithClock, tempDir, untilAborted, withOrchestrator } from '../helpers/orchestrator.js';

type Cancelled = OrchestratorEvents['step.cancelled'];
type Actions = OrchestratorOptions['actions'];

/** Stores an execution of `ok`, then `step` left open (`waiting` for its retry, or `running`), and closes. */
async function leftOpen(clock: FakeClock, open: 'waiting' | 'running') {
  const file = join(tempDir(), 'orchestrator.sqlite');
  const actions = {
    ok: () => 1,
    step: (_input: unknown, ctx: StepContext) =>
      open === 'waiting' ? Promise.reject(new Error('transient')) : untilAborted(ctx.signal),
  };
  const first = await withOrchestrator({ store: `sqlite:${file}`, clock, actions });
  await first.workflowEngine.defineWorkflow(
    'w',
    [{ name: 'ok' }, { name: 'step', retry: { initialDelay: 600 } }],
    { timeout: 60 },
  );
  const id = await first.workflowEngine.executeWorkflow('w');
  await clock.advance(1000);
  expect((await first.workflowEngine.getExecutionStatus(id))?.steps[1]?.status).toBe(open);
  await first.close();
  return { file, id, actions };
}

async function storeCancel(file: string, id: string): Promise<void> {
  const store = new SqliteStore(file);
  await store.init();
  try {
    expect(await store.requestCancel(id)).not.toBeNull();
  } finally {
    await store.close();
  }
}

/** Opens the orchestrator again on `file` and runs execution `id` to its end: its status, and the `step.cancelled` events. */
async function resume(file: string, clock: FakeClock, actions: Actions, id: string) {
  const cancelled: Cancelled[] = [];
  const second = await withOrchestrator({
    store: `sqlite:${file}`,
    clock,
    actions,
    on: { 'step.cancelled': (e) => cancelled.push(e) },
  });
  const status = await finishWithClock(second, clock, id);
  return { status, cancelled };
}

describe.each(['waiting', 'running'] as const)(
  'a step stored %s when its execution ends on resume',
  (open) => {
    it.each(['cancel', 'timeout'] as const)('is announced cancelled (%s)', async (end) => {
      const clock = new FakeClock();
      const { file, id, actions } = await leftOpen(clock, open);
      if (end === 'cancel') await storeCancel(file, id);
      else await clock.advance(120_000);
      const { status, cancelled } = await resume(file, clock, actions, id);
      expect(status.status).toBe(end === 'cancel' ? 'cancelled' : 'failed');
      const step = status.steps[1]!;
      expect(step).toMatchObject({ name: 'step', status: 'cancelled', attempts: 1 });
      expect(cancelled).toEqual([
        {
          executionId: id,
          workflowId: 'w',
          step: 'step',
          attempt: 1,
          error: { code: 'CANCELLED', message: 'The step was stopped before it finished', step: 'step' },
          durationMs: step.durationMs,
        },
      ]);
    });
  },
);

describe('a parallel step stored running when its execution ends on resume', () => {
  it('is announced cancelled after its open branch, as when stopped while it runs', async () => {
    const clock = new FakeClock();
    const file = join(tempDir(), 'orchestrator.sqlite');
    const actions = { a: () => 'A', b: () => Promise.reject(new Error('transient')) };
    const first = await withOrchestrator({ store: `sqlite:${file}`, clock, actions });
    await first.workflowEngine.defineWorkflow('w', [
      { name: 'p', parallel: [{ name: 'a' }, { name: 'b', retry: { initialDelay: 600 } }] },
    ]);
    const id = await first.workflowEngine.executeWorkflow('w');
    await clock.advance(1000);
    expect((await first.workflowEngine.getExecutionStatus(id))?.steps[0]?.branches?.[1]?.status).toBe(
      'waiting',
    );
    await first.close();
    await storeCancel(file, id);
    const { status, cancelled } = await resume(file, clock, actions, id);
    expect(status.status).toBe('cancelled');
    expect(status.steps[0]?.status).toBe('cancelled');
    expect(cancelled.map((e) => [e.step, e.parent, e.attempt])).toEqual([
      ['b', 'p', 1],
      ['p', undefined, 1],
    ]);
  });
});

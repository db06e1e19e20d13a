// biome-ignore-all lint/suspicious/noThenProperty: SPEC §3 condition steps jump with a `then` key.
/**
 * A step's end is announced once it is stored, as `step.completed` is: a final `step.failed`, and a
 * `step.cancelled` of a stop, whose records are written with their execution's end (or its move to
 * compensating), come after that write. A listener that reads the store when it gets the event
 * finds the step ended as the event says; a crash before the write announced nothing it lost. A
 * step end whose write failed is not announced; the run that takes the execution up announces it,
 * once: on SQLite and PostgreSQL (it ran on SQLite only).
 */
import { describe, expect, it, vi } from 'vitest';
import { FakeClock, MemoryStore, type Orchestrator } from '../../src/index.js';
import type { ExecutionUpdate, StepRecord } from '../../src/store/store.js';
import { anyStoreUrl } from '../helpers/all-stores.js';
import { holdUpdates } from '../helpers/holding-store.js';
import {
  drivingFor,
  finishWithClock,
  gate,
  memoryLogger,
  nextTurn,
  untilAborted,
  withOrchestrator,
} from '../helpers/orchestrator.js';

/** Whether `u` ends its execution, or moves it to compensating: the write a step's end goes with. */
const endWrite = (u: ExecutionUpdate) =>
  u.set?.status === 'failed' || u.set?.status === 'cancelled' || u.set?.status === 'compensating';

/**
 * An orchestrator on a memory store whose end writes wait until released; `seen` gets, for each
 * `step.failed` without `retryAt` and each `step.cancelled`, the event and the step's record as the
 * store held it when the listener ran.
 */
async function rig(options: Parameters<typeof withOrchestrator>[0] = {}) {
  const held = holdUpdates(new MemoryStore(), endWrite);
  const orch = await withOrchestrator({ ...options, store: held.store });
  const reads: Promise<[string, string, StepRecord | undefined]>[] = [];
  const read = (event: string, executionId: string, step: string) =>
    reads.push(
      held.store
        .getExecution(executionId)
        .then((snap) => [event, step, snap?.steps.find((s) => s.name === step)] as const)
        .then((x) => [...x] as [string, string, StepRecord | undefined]),
    );
  orch.on('step.failed', (e) => {
    if (e.retryAt === undefined) read('step.failed', e.executionId, e.step);
  });
  orch.on('step.cancelled', (e) => read('step.cancelled', e.executionId, e.step));
  return { orch, held, reads };
}

/** Lets the held end write go once it is reached (after a few turns), and waits for the end. */
async function releaseAndFinish(
  r: Awaited<ReturnType<typeof rig>>,
  orch: Orchestrator,
  id: string,
): Promise<{ event: string; step: string; stored: string | undefined }[]> {
  await r.held.reached;
  for (let i = 0; i < 5; i++) await nextTurn();
  r.held.release();
  await orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
  const seen = await Promise.all(r.reads);
  return seen.map(([event, step, rec]) => ({ event, step, stored: rec?.status }));
}

describe('a step end is announced after its record is written', () => {
  it('a final step.failed', async () => {
    const r = await rig({ actions: { boom: () => Promise.reject(new Error('boom')) } });
    await r.orch.workflowEngine.defineWorkflow('w', [{ name: 'boom' }]);
    const id = await r.orch.workflowEngine.executeWorkflow('w');
    expect(await releaseAndFinish(r, r.orch, id)).toEqual([
      { event: 'step.failed', step: 'boom', stored: 'failed' },
    ]);
  });

  it('a final step.failed of a step with a compensation to run (written with compensating)', async () => {
    const r = await rig({
      actions: { ok: () => 1, boom: () => Promise.reject(new Error('boom')) },
      compensations: { undo: () => undefined },
    });
    await r.orch.workflowEngine.defineWorkflow('w', [{ name: 'ok', compensation: 'undo' }, { name: 'boom' }]);
    const id = await r.orch.workflowEngine.executeWorkflow('w');
    expect(await releaseAndFinish(r, r.orch, id)).toEqual([
      { event: 'step.failed', step: 'boom', stored: 'failed' },
    ]);
  });

  it('a step.cancelled of a cancel', async () => {
    const started = gate();
    const r = await rig({
      actions: {
        hang: (_input, ctx) => {
          started.open();
          return untilAborted(ctx.signal);
        },
      },
    });
    await r.orch.workflowEngine.defineWorkflow('w', [{ name: 'hang' }]);
    const id = await r.orch.workflowEngine.executeWorkflow('w');
    await started.promise;
    // (A cancel answers once the execution ended: the end write is held until released.)
    const cancelled = r.orch.workflowEngine.cancelWorkflow(id);
    expect(await releaseAndFinish(r, r.orch, id)).toEqual([
      { event: 'step.cancelled', step: 'hang', stored: 'cancelled' },
    ]);
    expect(await cancelled).toBe(true);
  });

  it("a parallel step's: its failed branch, the sibling stopped, the step itself", async () => {
    const r = await rig({
      actions: {
        hang: (_input, ctx) => untilAborted(ctx.signal),
        boom: () => new Promise((_resolve, reject) => setImmediate(() => reject(new Error('boom')))),
      },
    });
    await r.orch.workflowEngine.defineWorkflow('w', [
      { name: 'p', parallel: [{ name: 'boom' }, { name: 'hang' }] },
    ]);
    const id = await r.orch.workflowEngine.executeWorkflow('w');
    expect(await releaseAndFinish(r, r.orch, id)).toEqual([
      { event: 'step.failed', step: 'boom', stored: 'failed' },
      { event: 'step.cancelled', step: 'hang', stored: 'cancelled' },
      { event: 'step.failed', step: 'p', stored: 'failed' },
    ]);
  });

  it('a condition that fails (EXPRESSION_ERROR)', async () => {
    const r = await rig({ actions: { a: () => ({ n: 1 }) } });
    await r.orch.workflowEngine.defineWorkflow('w', [
      { name: 'a' },
      { name: 'check', condition: 'steps.a.output.n.missing.deeper > 1', then: 'a' },
    ]);
    const id = await r.orch.workflowEngine.executeWorkflow('w');
    expect(await releaseAndFinish(r, r.orch, id)).toEqual([
      { event: 'step.failed', step: 'check', stored: 'failed' },
    ]);
  });
});

/**
 * The durable stores: a store write fails there (a lost connection, a full disk), and another run
 * takes the execution up once its lease ran out. (The memory store's writes do not fail, and no
 * sweep runs on it.)
 */
const DURABLE_KINDS = ['sqlite', 'postgres'] as const;

describe.each(DURABLE_KINDS)('a step end whose write failed (%s store)', (kind) => {
  it('is not announced; the run that stores it announces it, once', async () => {
    const clock = new FakeClock();
    const logger = memoryLogger();
    let runs = 0;
    const orch = await withOrchestrator({
      store: await anyStoreUrl(kind),
      clock,
      sweepInterval: 1,
      logger,
      actions: {
        boom: () => {
          runs++;
          throw new Error('boom');
        },
      },
    });
    // A workflow timeout past what finishWithClock drives (600 s): the virtual time runs on while
    // PostgreSQL answers in real time, and a timeout reached meanwhile would end the execution
    // before the step ran again.
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'boom' }], { timeout: 3_600 });
    // The first end write fails, as a store that lost its connection does.
    let failedWrites = 0;
    const update = orch.store.update.bind(orch.store);
    vi.spyOn(orch.store, 'update').mockImplementation((u) =>
      endWrite(u) && failedWrites++ === 0 ? Promise.reject(new Error('connection lost')) : update(u),
    );
    // Each announcement's read of the store (a round trip on PostgreSQL: awaited, not a turn).
    const reads: Promise<string | undefined>[] = [];
    orch.on('step.failed', (e) => {
      reads.push(orch.store.getExecution(e.executionId).then((snap) => snap?.steps[0]?.status));
    });
    const id = await orch.workflowEngine.executeWorkflow('w');
    const status = await finishWithClock(orch, clock, id, drivingFor(kind));
    expect(status.status).toBe('failed');
    expect(status.error?.code).toBe('STEP_FAILED');
    expect(failedWrites).toBe(2);
    // The step ran again in the run that took the execution up after the failed write...
    expect(runs).toBe(2);
    // ...and only that run's end, stored, was announced.
    expect(await Promise.all(reads)).toEqual(['failed']);
  });
});

/**
 * A remote worker's task whose step (or workflow) deadline passed, though its timer has not fired
 * yet (a stalled event loop runs due timers list by list), is over: its heartbeat answers
 * cancelled, its `complete`/`fail` is refused with 409 as for a step that timed out, a poll hands
 * it out no more, and the step ends with its timeout then — not a 204 for a result then discarded.
 */
import { describe, expect, it } from 'vitest';
import { settle } from '../../src/clock.js';
import { ConflictError, RemoteWorkerHub } from '../../src/index.js';
import type { RemoteTask } from '../../src/remote/protocol.js';
import { withOrchestrator } from '../helpers/orchestrator.js';
import { type StalledClock, stalledClock } from '../helpers/stalled-clock.js';

async function setup(step: Record<string, unknown>, timeout?: number) {
  const clock = stalledClock();
  const hub = new RemoteWorkerHub({ clock, leaseSeconds: 60 });
  const orch = await withOrchestrator({ clock });
  hub.attach(orch.workflowEngine);
  const { workerId } = hub.register({ actions: ['stt'] });
  await orch.workflowEngine.defineWorkflow(
    'w',
    [{ name: 'stt', retry: { maxAttempts: 0 }, ...step } as { name: string }],
    timeout === undefined ? {} : { timeout },
  );
  const id = await orch.workflowEngine.executeWorkflow('w');
  const done = orch.workflowEngine.waitForCompletion(id);
  // (A test that fails before awaiting it closes the orchestrator: not an unhandled rejection.)
  done.catch(() => undefined);
  await settle();
  return { clock, hub, orch, workerId, id, done };
}

async function take(hub: RemoteWorkerHub, workerId: string): Promise<RemoteTask> {
  const task = await hub.poll(workerId, { waitSeconds: 0 });
  if (!task) throw new Error('no task reached the hub');
  return task;
}

function late(clock: StalledClock, ms: number): void {
  clock.move(ms);
}

describe("a remote task past its step's timeout, the timer not fired", () => {
  it('refuses the late complete (409) and the step ends with STEP_TIMEOUT', async () => {
    const { clock, hub, workerId, done } = await setup({ timeout: 5 });
    const task = await take(hub, workerId);
    late(clock, 5001);
    expect(() => hub.complete(workerId, task.taskId, { text: 'late' })).toThrow(ConflictError);
    const status = await done;
    expect(status.error).toMatchObject({ code: 'STEP_TIMEOUT', step: 'stt' });
    expect(status.outputData.stt).toBeUndefined();
  });

  it('refuses a late fail (409), and the step ends with STEP_TIMEOUT, not its error', async () => {
    const { clock, hub, workerId, done } = await setup({ timeout: 5 });
    const task = await take(hub, workerId);
    late(clock, 5001);
    expect(() => hub.fail(workerId, task.taskId, { error: { code: 'OWN', message: 'own' } })).toThrow(
      ConflictError,
    );
    expect((await done).error).toMatchObject({ code: 'STEP_TIMEOUT', step: 'stt' });
  });

  it('answers a late heartbeat with cancelled', async () => {
    const { clock, hub, workerId, done } = await setup({ timeout: 5 });
    const task = await take(hub, workerId);
    late(clock, 5000);
    expect(hub.heartbeat(workerId, task.taskId)).toEqual({ cancelled: false });
    late(clock, 1);
    expect(hub.heartbeat(workerId, task.taskId)).toEqual({ cancelled: true });
    expect((await done).error).toMatchObject({ code: 'STEP_TIMEOUT', step: 'stt' });
  });

  it('hands a queued task out no more once its deadline passed', async () => {
    const { clock, hub, workerId, done } = await setup({ timeout: 5 });
    late(clock, 5001);
    await expect(hub.poll(workerId, { waitSeconds: 0 })).resolves.toBeNull();
    expect((await done).error).toMatchObject({ code: 'STEP_TIMEOUT', step: 'stt' });
    expect(hub.snapshot().queued).toEqual({});
  });

  it('does not queue again a task released after its deadline', async () => {
    const { clock, hub, workerId, done } = await setup({ timeout: 5 });
    const task = await take(hub, workerId);
    late(clock, 5001);
    expect(() => hub.release(workerId, task.taskId)).toThrow(ConflictError);
    expect((await done).error).toMatchObject({ code: 'STEP_TIMEOUT', step: 'stt' });
    expect(hub.snapshot().queued).toEqual({});
  });

  it('takes a complete exactly at the deadline', async () => {
    const { clock, hub, workerId, done } = await setup({ timeout: 5 });
    const task = await take(hub, workerId);
    late(clock, 5000);
    hub.complete(workerId, task.taskId, { text: 'in time' });
    const status = await done;
    expect(status.status).toBe('completed');
    expect(status.outputData.stt).toEqual({ text: 'in time' });
  });
});

describe("a remote task past its workflow's timeout, the timer not fired", () => {
  it('refuses the late complete and the execution fails with WORKFLOW_TIMEOUT', async () => {
    const { clock, hub, workerId, done } = await setup({}, 10);
    const task = await take(hub, workerId);
    late(clock, 10_001);
    expect(hub.heartbeat(workerId, task.taskId)).toEqual({ cancelled: true });
    expect(() => hub.complete(workerId, task.taskId, { text: 'late' })).toThrow(ConflictError);
    const status = await done;
    expect(status.status).toBe('failed');
    expect(status.error).toMatchObject({ code: 'WORKFLOW_TIMEOUT' });
  });
});

/**
 * A report (complete, fail, release, heartbeat) on a task the worker does not hold is a 409
 * CONFLICT that says why, when the hub knows: the worker released it, settled it already, its
 * lease expired, it was cancelled — or it was never this worker's. It used to say "(its lease
 * expired, or it was already settled)" in every case, also for a released task or another
 * worker's.
 */
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../src/index.js';
import { EndedTasks } from '../../src/remote/ended-tasks.js';
import { flush, heldTask, nextTask, remoteSetup } from './helpers.js';

function conflict(call: () => unknown): ConflictError {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).code).toBe('CONFLICT');
    return error as ConflictError;
  }
  throw new Error('no ConflictError thrown');
}

describe('a report on a task the worker does not hold', () => {
  it('says the worker released it', async () => {
    const { hub, workerId, task } = await heldTask();
    hub.release(workerId, task.taskId);
    expect(conflict(() => hub.complete(workerId, task.taskId, 'late')).message).toBe(
      `Task '${task.taskId}' is not leased to worker '${workerId}' (the worker released it; it went back to the queue)`,
    );
  });

  it("says it never was this worker's", async () => {
    const { hub, workerId, task } = await heldTask();
    const other = hub.register({ actions: ['stt'] }).workerId;
    expect(conflict(() => hub.complete(other, task.taskId, 'not mine')).message).toBe(
      `Task '${task.taskId}' is not leased to worker '${other}' (it never was)`,
    );
    expect(conflict(() => hub.fail(other, 'rt_nope', { error: { message: 'm' } })).message).toMatch(
      /\(it never was\)$/,
    );
    hub.complete(workerId, task.taskId, 'mine');
  });

  it('says the worker already completed or failed it', async () => {
    const { hub, workerId, task } = await heldTask();
    hub.complete(workerId, task.taskId, 'done');
    expect(conflict(() => hub.complete(workerId, task.taskId, 'again')).message).toMatch(
      /\(the worker already completed it\)$/,
    );
    const second = await heldTask();
    second.hub.fail(second.workerId, second.task.taskId, { error: { message: 'boom' }, retryable: false });
    expect(conflict(() => second.hub.complete(second.workerId, second.task.taskId, 'late')).message).toMatch(
      /\(the worker already failed it\)$/,
    );
  });

  it('says its lease expired and the attempt failed with WORKER_LOST', async () => {
    const { orch, hub, clock } = await remoteSetup();
    const { workerId } = hub.register({ actions: ['stt', 'idle'] });
    await orch.workflowEngine.defineWorkflow('w', [{ name: 'stt', retry: { maxAttempts: 1 } }]);
    await orch.workflowEngine.executeWorkflow('w');
    await flush(clock);
    const task = await nextTask(hub, workerId);
    for (let t = 0; t < 11; t++) {
      void hub.poll(workerId, { actions: ['idle'], waitSeconds: 0.5 });
      await clock.advance(1000);
    }
    expect(conflict(() => hub.heartbeat(workerId, task.taskId)).message).toMatch(
      /\(its lease expired \(no heartbeat for 10s\) and the attempt failed with WORKER_LOST\)$/,
    );
  });

  it('says it was cancelled, also on a second report', async () => {
    const { orch, hub, workerId, id, task } = await heldTask();
    await orch.workflowEngine.cancelWorkflow(id);
    expect(conflict(() => hub.complete(workerId, task.taskId, 'x')).message).toMatch(/was cancelled/);
    expect(conflict(() => hub.complete(workerId, task.taskId, 'x')).message).toMatch(
      /\(it was cancelled \(its step was cancelled or timed out\)\)$/,
    );
  });
});

describe('EndedTasks', () => {
  it('keeps the most recent ends, and once it forgot some no longer claims "never"', () => {
    const ended = new EndedTasks(2);
    expect(ended.why('a')).toBe('it never was');
    ended.add('a', 'A');
    ended.add('b', 'B');
    expect([ended.why('a'), ended.why('b')]).toEqual(['A', 'B']);
    ended.add('a', 'A again');
    ended.add('c', 'C');
    expect([ended.why('a'), ended.why('c')]).toEqual(['A again', 'C']);
    expect(ended.why('b')).toBe('its lease expired, or it was already settled or released');
    expect(ended.why('never')).toBe('its lease expired, or it was already settled or released');
  });
});

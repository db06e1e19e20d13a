/**
 * A `fail` whose message is empty (a Python worker reporting `str(err)` of a bare `Exception()`)
 * fails the step with a message that says so; the step's error read 'RemoteTaskError' (or
 * 'NonRetryableError'), the name of a class inside the orchestrator.
 */
import { describe, expect, it } from 'vitest';
import { finishWithClock } from '../helpers/orchestrator.js';
import { heldTask } from './helpers.js';

describe('a failure reported without a message', () => {
  it.each([[true], [false]])('says the worker gave none (retryable: %s)', async (retryable) => {
    const { orch, hub, clock, workerId, id, task } = await heldTask();
    hub.fail(workerId, task.taskId, { error: { code: 'GPU_OOM', message: '' }, retryable });
    const status = await finishWithClock(orch, clock, id);
    expect(status.error).toEqual({
      code: 'GPU_OOM',
      message: `Remote worker '${workerId}' reported a failure without a message`,
      step: 'stt',
    });
  });
});

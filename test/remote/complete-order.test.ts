/**
 * A `complete` is answered for who sends it before what it holds: an unknown worker gets 404
 * (register again) and a task not leased to the reporter 409 (drop it), whatever the output, as
 * docs/remote-workers.md says of any report. An output no store keeps was checked first, so such
 * a report answered 400 'fix the request', and a worker that then failed the task learnt only on
 * the next request that the result had never been its to give.
 */
import { describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '../../src/errors.js';
import { RemoteWorkerNotFoundError } from '../../src/remote/errors.js';
import { heldTask } from './helpers.js';

const DEEP = JSON.parse(`${'['.repeat(70)}${']'.repeat(70)}`);

describe('complete with an output no store keeps', () => {
  it('answers an unknown worker NotFound, not a validation error', async () => {
    const { hub, task } = await heldTask();
    expect(() => hub.complete('rw_gone', task.taskId, DEEP)).toThrow(RemoteWorkerNotFoundError);
  });

  it('answers a worker that does not hold the task Conflict, and the holder can still complete', async () => {
    const { hub, task, workerId, orch, id } = await heldTask();
    const other = hub.register({ actions: ['stt'] }).workerId;
    expect(() => hub.complete(other, task.taskId, DEEP)).toThrow(ConflictError);
    // The holder's own bad output is still a validation error, and the task stays leased to it.
    expect(() => hub.complete(workerId, task.taskId, DEEP)).toThrow(ValidationError);
    hub.complete(workerId, task.taskId, 'ok');
    const status = await orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
    expect(status.outputData).toEqual({ stt: 'ok' });
  });
});

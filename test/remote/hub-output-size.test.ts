/**
 * An output over what the engine stores (64 MiB of JSON text) is refused by `complete` like any
 * other output no store keeps: a ValidationError (400 over HTTP) naming it, the task still leased
 * to report a smaller output or fail. With a body limit above 64 MiB it used to be accepted (204)
 * and then fail the step with INVALID_OUTPUT, the worker none the wiser.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/index.js';
import { finishWithClock } from '../helpers/orchestrator.js';
import { heldTask } from './helpers.js';

describe('a remote output over 64 MiB of JSON text', () => {
  it('is refused, naming its size, and the task stays leased', async () => {
    const { orch, hub, clock, workerId, id, task } = await heldTask();
    const big = { blob: 'x'.repeat(65 * 1024 * 1024) };
    expect(() => hub.complete(workerId, task.taskId, big)).toThrow(ValidationError);
    expect(() => hub.complete(workerId, task.taskId, big)).toThrow(
      /output: about 65 MiB of JSON text, over the limit of 64 MiB/,
    );
    hub.complete(workerId, task.taskId, { blob: 'small' });
    const status = await finishWithClock(orch, clock, id);
    expect(status.outputData).toEqual({ stt: { blob: 'small' } });
  });

  it('refuses an array too long to store from its length, without copying its items', async () => {
    const { orch, hub, clock, workerId, id, task } = await heldTask();
    let reads = 0;
    const list = new Proxy(new Array<unknown>(20_000_000), {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver);
      },
    });
    expect(() => hub.complete(workerId, task.taskId, { list })).toThrow(
      /output: more than 128 MiB of JSON text, over the limit of 64 MiB/,
    );
    expect(reads).toBe(0);
    expect(() => hub.complete(workerId, task.taskId, new Array(2 ** 32 - 1))).toThrow(ValidationError);
    hub.complete(workerId, task.taskId, { blob: 'small' });
    expect((await finishWithClock(orch, clock, id)).outputData).toEqual({ stt: { blob: 'small' } });
  });
});

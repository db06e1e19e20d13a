/**
 * The hub's messages repeated a task id (and a worker id) the caller gave whole: over HTTP the
 * route caps ids at 64 characters, but a library caller can pass any length, and a 10,000-character
 * id made a 10 KB message. They now cut it as other messages cut values (`echo`).
 */
import { describe, expect, it } from 'vitest';
import { ECHO_LIMIT } from '../../src/echo.js';
import { ConflictError } from '../../src/index.js';
import { remoteSetup } from './helpers.js';

const longId = 'x'.repeat(10_000);

function thrown(call: () => unknown): Error {
  try {
    call();
  } catch (error) {
    return error as Error;
  }
  throw new Error('did not throw');
}

describe('a very long id in a hub message', () => {
  it('is cut in the conflict of a task not leased to the worker', async () => {
    const { hub } = await remoteSetup();
    const { workerId } = hub.register({ actions: ['stt'] });
    const calls = [
      () => hub.heartbeat(workerId, longId),
      () => hub.complete(workerId, longId, null),
      () => hub.fail(workerId, longId, { error: { message: 'm' } }),
      () => hub.release(workerId, longId),
    ];
    for (const call of calls) {
      const error = thrown(call);
      expect(error).toBeInstanceOf(ConflictError);
      expect(error.message).toContain(`'${'x'.repeat(ECHO_LIMIT)}…' (10000 characters)`);
      expect(error.message).toMatch(/is not leased to worker/);
      expect(error.message.length).toBeLessThan(300);
    }
  });

  it('is cut in the not-found error of an unknown worker', async () => {
    const { hub } = await remoteSetup();
    const error = thrown(() => hub.heartbeat(longId, 't'));
    expect(error.message).toMatch(/is not registered/);
    expect(error.message.length).toBeLessThan(300);
  });
});

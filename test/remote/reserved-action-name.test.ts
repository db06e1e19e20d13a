/**
 * `__proto__` cannot name a workflow step's action (the definition refuses it: "'__proto__' is
 * reserved"), so a remote worker cannot serve it either: registering it answered 201 and the
 * worker polled for tasks that could never come, and `hub.actions(['__proto__'])` returned an
 * object whose prototype was the proxy, with no such key. Both now refuse it, naming it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteWorkerHub, ValidationError } from '../../src/index.js';
import { closeAll, envelope, setup } from '../server/helpers.js';

afterEach(closeAll);

describe("the action name '__proto__'", () => {
  it('is refused at registration over HTTP (400 naming the action), and nothing is registered', async () => {
    const f = await setup();
    const res = await f.call({
      method: 'POST',
      url: '/v1/remote-workers',
      payload: { actions: ['stt', '__proto__'] },
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(envelope(res)).toEqual({
      code: 'VALIDATION',
      message:
        'Invalid request: body.actions[1]: expected an action a workflow step can name, got the reserved "__proto__"',
    });
    const list = await f.call({ method: 'GET', url: '/v1/remote-workers' });
    expect(list.json()).toEqual({ workers: [], queued: {} });
  });

  it('is refused by the hub: register() and actions()', () => {
    const hub = new RemoteWorkerHub();
    expect(() => hub.register({ actions: ['__proto__'] })).toThrow(ValidationError);
    expect(() => hub.register({ actions: ['__proto__'] })).toThrow(
      'Invalid register arguments: actions[0]: the name is reserved (no workflow step can name it as its action)',
    );
    expect(() => hub.actions(['__proto__'])).toThrow(
      'Invalid actions arguments: names[0]: the name is reserved (no workflow step can name it as its action)',
    );
    hub.close();
  });
});

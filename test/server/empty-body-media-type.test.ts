/**
 * A request with an empty body is a request without one, whatever `Content-Type` it names:
 * `curl -d ''` sends `application/x-www-form-urlencoded` with `Content-Length: 0`, and a cancel or
 * a start without input sent so was refused 415 'Request body must be JSON', though no body was
 * sent. A body that is there and is not JSON is still refused 415, and nothing runs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AUTH, closeAll, define, envelope, setup } from './helpers.js';

afterEach(closeAll);

const EMPTY_WITH_TYPE = [
  { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '0' },
  { 'content-type': 'text/plain;charset=UTF-8', 'content-length': '0' },
];

describe('an empty body with a Content-Type other than JSON', () => {
  it('counts as no body: an execution starts, and a cancel answers', async () => {
    const f = await setup();
    await define(f, 'greeter', [{ name: 'hello', action: 'greet' }]);
    for (const headers of EMPTY_WITH_TYPE) {
      const started = await f.call({
        method: 'POST',
        url: '/v1/workflows/greeter/executions',
        headers,
        payload: '',
      });
      expect(started.statusCode, JSON.stringify(headers)).toBe(202);
      const { id } = started.json() as { id: string };
      await f.orch.workflowEngine.waitForCompletion(id, { timeout: 5 });
      const cancel = await f.call({
        method: 'POST',
        url: `/v1/executions/${id}/cancel`,
        headers,
        payload: '',
      });
      expect(cancel.statusCode).toBe(200);
      expect(cancel.json()).toEqual({ cancelled: false });
    }
  });

  it('is still refused with 415 when a body is there, and nothing runs', async () => {
    const f = await setup();
    await define(f, 'greeter', [{ name: 'hello', action: 'greet' }]);
    for (const headers of [
      { 'content-type': 'text/plain' },
      { 'content-type': 'application/x-www-form-urlencoded' },
    ]) {
      const res = await f.call({
        method: 'POST',
        url: '/v1/workflows/greeter/executions',
        headers,
        payload: 'input=1',
      });
      expect(res.statusCode).toBe(415);
      expect(envelope(res)).toEqual({
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: 'Request body must be JSON (Content-Type: application/json)',
      });
    }
    // A body without any Content-Type is no JSON either.
    const untyped = await f.app.inject({
      method: 'POST',
      url: '/v1/workflows/greeter/executions',
      headers: AUTH,
      payload: '{}',
    });
    expect(untyped.statusCode).toBe(415);
    expect(await f.orch.workflowEngine.countExecutions({})).toBe(0);
  });
});

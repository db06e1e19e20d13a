/**
 * The API reads request bodies as sent: a body with a `Content-Encoding` (gzip, br, ...) answers
 * 415 naming the coding, and nothing runs. A gzipped body was answered 'Request body is not valid
 * UTF-8', which sent its client looking for a charset problem, and a plain body labelled gzip was
 * taken as is (202) though its client said it was compressed.
 */
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, define, envelope, setup } from './helpers.js';

afterEach(closeAll);

const URL = '/v1/workflows/greeter/executions';

describe('request body content coding', () => {
  it.each([
    ['a gzipped body', 'gzip', gzipSync('{"input":{"name":"Ada"}}')],
    ['a plain body labelled gzip', 'gzip', Buffer.from('{"input":{"name":"Ada"}}')],
    ['a body labelled br', 'br', Buffer.from('{}')],
    ['two codings', 'gzip, identity', Buffer.from('{}')],
  ])('refuses %s with 415 naming the coding, and starts nothing', async (_what, coding, payload) => {
    const f = await setup();
    await define(f, 'greeter', [{ name: 'hello', action: 'greet' }]);
    const res = await f.call({
      method: 'POST',
      url: URL,
      headers: { 'content-type': 'application/json', 'content-encoding': coding },
      payload,
    });
    expect(res.statusCode).toBe(415);
    expect(envelope(res)).toEqual({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: `Request body must not be compressed (got Content-Encoding: ${coding}): send the JSON as is`,
    });
    expect(await f.orch.workflowEngine.countExecutions()).toBe(0);
  });

  it('takes a body labelled identity, or with an empty Content-Encoding', async () => {
    const f = await setup();
    await define(f, 'greeter', [{ name: 'hello', action: 'greet' }]);
    for (const coding of ['identity', 'Identity', '']) {
      const res = await f.call({
        method: 'POST',
        url: URL,
        headers: { 'content-type': 'application/json', 'content-encoding': coding },
        payload: '{"input":{"name":"Ada"}}',
      });
      expect(res.statusCode, `${JSON.stringify(coding)}: ${res.body}`).toBe(202);
    }
  });
});

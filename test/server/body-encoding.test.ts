/**
 * A JSON body is UTF-8 (RFC 8259). Bytes that are not UTF-8 (a Latin-1 'é', a stray 0xFF) were
 * decoded to U+FFFD and the request accepted (202), so the input stored was not the one sent and
 * nothing said so; such a body now answers 400 VALIDATION saying it is not UTF-8, and nothing runs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, define, setup } from './helpers.js';

afterEach(closeAll);

const JSON_TYPE = { 'content-type': 'application/json' };

describe('request body encoding', () => {
  it('answers 400 for a body that is not UTF-8, naming the encoding, and starts nothing', async () => {
    const f = await setup();
    await define(f, 'greeter', [{ name: 'hello', action: 'greet' }]);
    const latin1 = Buffer.from('{"input": {"name": "Jos\u00e9"}}', 'latin1');
    for (const [headers, payload] of [
      [JSON_TYPE, latin1],
      [{ 'content-type': 'application/json; charset=iso-8859-1' }, latin1],
      [JSON_TYPE, Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])],
    ] as const) {
      const res = await f.call({ method: 'POST', url: '/v1/workflows/greeter/executions', headers, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toEqual({
        code: 'VALIDATION',
        message: 'Request body is not valid UTF-8 (JSON is sent as UTF-8)',
      });
    }
    expect(await f.orch.workflowEngine.countExecutions()).toBe(0);
  });

  it('still takes UTF-8 bodies, with or without a byte-order mark or a charset', async () => {
    const f = await setup();
    await define(f, 'greeter', [{ name: 'hello', action: 'greet' }]);
    const body = '{"input": {"name": "Jos\u00e9 \ud83d\ude00"}}';
    for (const [headers, payload] of [
      [JSON_TYPE, Buffer.from(body, 'utf8')],
      [{ 'content-type': 'application/json; charset=utf-8' }, Buffer.from(body, 'utf8')],
      [JSON_TYPE, Buffer.from(`\ufeff${body}`, 'utf8')],
    ] as const) {
      const res = await f.call({ method: 'POST', url: '/v1/workflows/greeter/executions', headers, payload });
      expect(res.statusCode).toBe(202);
      const status = await f.orch.workflowEngine.getExecutionStatus(res.json().id);
      expect(status?.inputData).toEqual({ name: 'Jos\u00e9 \ud83d\ude00' });
    }
    const empty = await f.call({
      method: 'POST',
      url: '/v1/workflows/greeter/executions',
      headers: JSON_TYPE,
    });
    expect(empty.statusCode).toBe(202);
  });
});

/**
 * A JSON body with a key twice was taken with the LAST value, the others dropped without a word:
 * {"input": {"amount": 10}, "input": {"amount": 1000}} started an execution on 1000, and
 * {"id": "orders", "steps": [...], "id": "payments"} defined 'payments'. Such a body now answers
 * 400 VALIDATION naming the object and the key, and nothing is run or defined.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, define, setup } from './helpers.js';

afterEach(closeAll);

const JSON_TYPE = { 'content-type': 'application/json' };

describe('JSON bodies with a key twice', () => {
  it('answers 400 naming where, and runs or defines nothing', async () => {
    const f = await setup();
    await define(f, 'greeter', [{ name: 'hello', action: 'greet' }]);
    const run = await f.call({
      method: 'POST',
      url: '/v1/workflows/greeter/executions',
      headers: JSON_TYPE,
      payload: '{"input": {"order": {"amount": 10, "amount": 1000}}}',
    });
    expect(run.statusCode).toBe(400);
    expect(run.json().error).toEqual({
      code: 'VALIDATION',
      message: "Invalid request: body.input.order: has the key 'amount' twice (give each key once)",
    });
    const top = await f.call({
      method: 'POST',
      url: '/v1/workflows/greeter/executions',
      headers: JSON_TYPE,
      payload: '{"input": {"name": "a"}, "input": {"name": "b"}}',
    });
    expect(top.json().error.message).toBe(
      "Invalid request: body: has the key 'input' twice (give each key once)",
    );
    expect(await f.orch.workflowEngine.countExecutions()).toBe(0);

    const defined = await f.call({
      method: 'POST',
      url: '/v1/workflows',
      headers: JSON_TYPE,
      payload: '{"id": "orders", "steps": [{"name": "a", "action": "greet"}], "id": "payments"}',
    });
    expect(defined.statusCode).toBe(400);
    expect(await f.orch.workflowEngine.getWorkflow('payments')).toBeNull();
  });

  it('still takes the same key in different objects', async () => {
    const f = await setup();
    await define(f, 'greeter', [{ name: 'hello', action: 'greet' }]);
    const res = await f.call({
      method: 'POST',
      url: '/v1/workflows/greeter/executions',
      headers: JSON_TYPE,
      payload: '{"input": {"name": "a", "inner": {"name": "b"}, "list": [{"name": 1}, {"name": 2}]}}',
    });
    expect(res.statusCode).toBe(202);
  });
});

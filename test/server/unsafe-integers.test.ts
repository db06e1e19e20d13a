/**
 * A JSON body holding an integer past 2^53 was taken rounded (12345678901234567890 stored as
 * 12345678901234567000), without a word: it answers 400 VALIDATION naming where, and nothing runs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, define, setup } from './helpers.js';

afterEach(closeAll);

describe('a JSON body with an integer past 2^53', () => {
  it('answers 400 naming where and what it would be, and runs nothing', async () => {
    const f = await setup();
    await define(f, 'greeter', [{ name: 'hello', action: 'greet' }]);
    const start = (payload: string) =>
      f.call({
        method: 'POST',
        url: '/v1/workflows/greeter/executions',
        headers: { 'content-type': 'application/json' },
        payload,
      });
    const run = await start('{"input": {"ids": [1, 12345678901234567890]}}');
    expect(run.statusCode).toBe(400);
    expect(run.json().error).toEqual({
      code: 'VALIDATION',
      message:
        'Invalid request: body.input.ids[1]: 12345678901234567890, an integer a JSON number cannot hold exactly (it would be 12345678901234567000): send it as a string',
    });
    expect(await f.orch.workflowEngine.countExecutions()).toBe(0);
    // As a string, or a safe integer, it is taken.
    const ok = await start('{"input": {"ids": ["12345678901234567890", 9007199254740991]}}');
    expect(ok.statusCode).toBe(202);
    // A long one is not echoed back whole.
    const long = await start(`{"input": ${'9'.repeat(100_000)}}`);
    expect(long.statusCode).toBe(400);
    expect(long.json().error.message).toBe(
      `Invalid request: body.input: ${'9'.repeat(40)}… (100000 characters), an integer a JSON number cannot hold exactly (it would be Infinity): send it as a string`,
    );
  });
});

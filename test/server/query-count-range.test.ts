/**
 * A count in a query (`limit`, `offset`, `version`) of more digits than a number holds exactly:
 * it was rounded before it was checked, so `offset=9007199254740993` was refused as "expected a
 * non-negative integer, got 9007199254740992" (a number the client did not send, and an integer),
 * and `limit=99999999999999999999` named the same problem twice. It is now refused as sent, once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, define, envelope, setup } from './helpers.js';

afterEach(closeAll);

describe('a query count past the largest exact integer', () => {
  it('is refused once, naming the digits sent and the largest count taken', async () => {
    const f = await setup();
    await define(f, 'w', [{ name: 's', action: 'greet' }]);
    for (const [url, name, sent] of [
      ['/v1/executions?offset=9007199254740993', 'offset', '9007199254740993'],
      ['/v1/executions?limit=99999999999999999999', 'limit', '99999999999999999999'],
      ['/v1/workflows/w?version=9007199254740993', 'version', '9007199254740993'],
    ] as const) {
      const res = await f.call({ url });
      expect(res.statusCode, url).toBe(400);
      const error = envelope(res);
      expect(error.code).toBe('VALIDATION');
      expect(error.message).toBe(
        `Invalid request: query.${name}: expected a whole number of at most 9007199254740991, got "${sent}"`,
      );
    }
    expect((await f.call({ url: '/v1/executions?offset=9007199254740991' })).statusCode).toBe(200);
  });
});

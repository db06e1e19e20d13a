/**
 * A 404 or 405 answer repeats the path asked as every other message repeats a value: whole when
 * short, else its first 64 characters, '…' and its length. It repeated the whole path, so a path
 * of kilobytes (up to the header limit) made an answer of kilobytes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, envelope, setup } from './helpers.js';

afterEach(closeAll);

describe('a long path in a 404 or 405 message', () => {
  it('is cut to its beginning and length (404 NOT_FOUND)', async () => {
    const f = await setup();
    const path = `/v1/${'x'.repeat(3000)}`;
    const res = await f.call({ method: 'GET', url: path });
    expect(res.statusCode).toBe(404);
    expect(envelope(res)).toEqual({
      code: 'NOT_FOUND',
      message: `Route GET ${path.slice(0, 64)}… (${path.length} characters) not found`,
    });
  });

  it('is cut to its beginning and length (405 METHOD_NOT_ALLOWED)', async () => {
    const f = await setup();
    const path = `/v1/executions/${'e'.repeat(3000)}`;
    const res = await f.call({ method: 'POST', url: path });
    expect(res.statusCode).toBe(405);
    expect(envelope(res)).toEqual({
      code: 'METHOD_NOT_ALLOWED',
      message: `Method POST is not allowed on ${path.slice(0, 64)}… (${path.length} characters); allowed: GET, HEAD, OPTIONS`,
    });
  });

  it('is whole when short', async () => {
    const f = await setup();
    const res = await f.call({ method: 'GET', url: '/v1/nothing-here?x=1' });
    expect(envelope(res).message).toBe('Route GET /v1/nothing-here not found');
  });
});

/**
 * The http action's input refused for its shape repeated the value it refused: `headers` given
 * as a header line (`'Authorization: Bearer …'`), a header value that is no string, or the whole
 * input given as the URL string (credentials and query included). README: a header's value (maybe
 * a secret) is never repeated, nor a URL's credentials or query. Headers are now named by their
 * kind only, and an input string as a refused URL is shown (no credentials, query or fragment).
 */
import { describe, expect, it } from 'vitest';
import { createHttpAction } from '../../../src/actions/http-action.js';
import { ctx, failure } from '../actions/action-context.js';

const SECRET = 'HdrS3cretValue9';
const action = createHttpAction();

async function messageFor(input: unknown): Promise<string> {
  const error = await failure(action(input, ctx()) as Promise<unknown>);
  expect(error.code).toBe('VALIDATION');
  expect(JSON.stringify(error)).not.toContain(SECRET);
  return error.message;
}

describe('http input refused for its shape, by kind only', () => {
  it('headers given as a header line', async () => {
    expect(await messageFor({ url: 'https://a.example/x', headers: `Authorization: Bearer ${SECRET}` })).toBe(
      'Invalid http input: input.headers: must be an object of header names to string values, got a string',
    );
  });

  it('a header value that is no string', async () => {
    expect(await messageFor({ url: 'https://a.example/x', headers: { 'x-api-key': 98765432109 } })).toBe(
      'Invalid http input: input.headers.x-api-key: must be a string, got a number',
    );
    expect(
      await messageFor({ url: 'https://a.example/x', headers: { authorization: { bearer: SECRET } } }),
    ).toBe('Invalid http input: input.headers.authorization: must be a string, got an object');
  });

  it('the whole input given as the URL string', async () => {
    const message = await messageFor(`https://user:${SECRET}@a.example/x?token=${SECRET}`);
    expect(message).toBe('Invalid http input: input: must be an object, got "https://***@a.example/x"');
  });
});

/**
 * The http action refused a URL that does not parse ('input.url: is not a valid absolute URL')
 * without the URL, and a bad header ('is not a valid HTTP header (name must be a token; no CR, LF
 * or NUL in the value)') without saying whether its name or its value was wrong. The URL is now
 * repeated (credentials masked, a long one cut), and the header's problem named (the value's
 * offending character by its index: a header value may be a secret).
 */
import { describe, expect, it } from 'vitest';
import { createHttpAction } from '../../../src/actions/http-action.js';
import { ctx, failure } from './action-context.js';

const action = createHttpAction({ allowlist: ['127.0.0.1'] });

async function messageFor(input: unknown): Promise<string> {
  const error = await failure(action(input, ctx()) as Promise<unknown>);
  expect(error.code).toBe('VALIDATION');
  return error.message;
}

describe('http action input messages', () => {
  it('repeat a URL that does not parse, credentials masked', async () => {
    expect(await messageFor({ url: 'example.com/orders' })).toBe(
      `Invalid http input: input.url: is not a valid absolute URL, got 'example.com/orders'`,
    );
    const masked = await messageFor({ url: 'http://app:s3cret@127.0.0.1:99999/x' });
    expect(masked).toBe(
      `Invalid http input: input.url: is not a valid absolute URL, got 'http://***@127.0.0.1:99999/x'`,
    );
    const long = await messageFor({ url: `nowhere/${'a'.repeat(5_000)}` });
    expect(long).toMatch(/, got 'nowhere\/a+…' \(5008 characters\)$/);
  });

  it('say whether a header name or value is wrong', async () => {
    const url = 'http://127.0.0.1:1/x';
    expect(await messageFor({ url, headers: { 'bad name': 'v' } })).toBe(
      `Invalid http input: input.headers.bad…: the name is not a token (letters, digits and !#$%&'*+-.^_\`|~): U+0020 at index 3`,
    );
    expect(await messageFor({ url, headers: { 'x-token': 's3cret\r\nx-other: 1' } })).toBe(
      'Invalid http input: input.headers.x-token: the value has a character a header cannot carry (U+000D at index 6)',
    );
  });
});

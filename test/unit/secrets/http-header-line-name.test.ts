/**
 * A header given as a whole line for its name (`{ 'Authorization: Bearer …': '' }`, a header list
 * turned into an object) was repeated in the error's path (`input.headers.Authorization: Bearer
 * …: the name is not a token`), the secret with it, into the stored error, the logs and the
 * dashboard. A name that is not a token is now shown up to its first bad character, which is named
 * by code and index; a long name is cut as any repeated value.
 */
import { describe, expect, it } from 'vitest';
import { createHttpAction } from '../../../src/actions/http-action.js';
import { ctx, failure } from '../actions/action-context.js';

const SECRET = 'HdrS3cretValue9';
const action = createHttpAction();
const url = 'https://a.example/x';

async function messageFor(input: unknown): Promise<string> {
  const error = await failure(action(input, ctx()) as Promise<unknown>);
  expect(error.code).toBe('VALIDATION');
  expect(JSON.stringify(error)).not.toContain(SECRET);
  return error.message;
}

describe('a header name that is a header line', () => {
  it('is shown up to its first bad character, the secret left out', async () => {
    expect(await messageFor({ url, headers: { [`Authorization: Bearer ${SECRET}`]: '' } })).toBe(
      "Invalid http input: input.headers.Authorization…: the name is not a token (letters, digits and !#$%&'*+-.^_`|~): U+003A at index 13",
    );
  });

  it('with a value that is no string, is shown the same way', async () => {
    expect(await messageFor({ url, headers: { [`Cookie: sid=${SECRET}`]: 1 } })).toBe(
      'Invalid http input: input.headers.Cookie…: must be a string, got a number',
    );
  });

  it('is cut when long, as other repeated values are', async () => {
    const message = await messageFor({ url, headers: { [`x-${'a'.repeat(5_000)}`]: 7 } });
    expect(message.length).toBeLessThan(200);
    expect(message).toMatch(/… \(\d+ characters\): must be a string, got a number$/);
  });

  it('a name that is a token is shown whole', async () => {
    expect(await messageFor({ url, headers: { 'x-api-key': 98765432109 } })).toBe(
      'Invalid http input: input.headers.x-api-key: must be a string, got a number',
    );
  });
});

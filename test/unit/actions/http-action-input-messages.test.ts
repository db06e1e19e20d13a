import { describe, expect, it } from 'vitest';
import { createHttpAction } from '../../../src/actions/http-action.js';
import { ctx, failure } from './action-context.js';

const action = createHttpAction({ maxTimeout: 60 });

async function messageFor(input: unknown): Promise<string> {
  return (await failure(action(input, ctx()) as Promise<unknown>)).message;
}

describe('http action input messages', () => {
  it('say what each key takes and what it got', async () => {
    expect(await messageFor({ url: 5, method: 'FETCH', timeout: 61, headers: { a: 1 } })).toBe(
      'Invalid http input: input.method: must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, got "FETCH"; ' +
        'input.url: must be a non-empty string of at most 8192 characters, got 5; ' +
        'input.headers.a: must be a string, got a number; ' +
        'input.timeout: must be a positive number of at most 60, got 61',
    );
    expect(await messageFor('https://example.com')).toBe(
      'Invalid http input: input: must be an object, got "https://example.com"',
    );
  });
});

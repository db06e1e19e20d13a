/**
 * `retry.nonRetryable` entries were the one text of a definition without a length limit (names
 * take 128 characters, expressions 4096, the description 10,000): a 200 MB entry was validated,
 * compiled and stored, taking a minute and over a gigabyte. An entry names an error code, name or
 * class, so it now takes at most 1024 characters, and a longer one is refused by its length.
 */
import { describe, expect, it } from 'vitest';
import { validateDefinition } from '../../../src/definition/validate.js';
import { ValidationError } from '../../../src/index.js';

describe('retry.nonRetryable entries', () => {
  it('take up to 1024 characters; a longer one is refused naming its length, not echoing it', () => {
    const longest = 'E'.repeat(1024);
    expect(validateDefinition('w', [{ name: 'a', retry: { nonRetryable: [longest] } }]).steps[0]).toEqual({
      name: 'a',
      retry: { nonRetryable: [longest] },
    });
    let error: unknown;
    try {
      validateDefinition('w', [{ name: 'a', retry: { nonRetryable: ['X', 'E'.repeat(50_000_000)] } }]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([
      {
        path: 'steps[0].retry.nonRetryable[1]',
        message: 'must be at most 1024 characters, got 50000000',
      },
    ]);
  });
});

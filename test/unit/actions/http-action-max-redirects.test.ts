/**
 * `maxRedirects` is checked when the action is created: NaN (or a negative or fractional number)
 * used to let `hop >= maxRedirects` never hold, so redirects were followed until the timeout.
 */
import { describe, expect, it } from 'vitest';
import { createHttpAction } from '../../../src/actions/http-action.js';
import { ValidationError } from '../../../src/errors.js';

describe('http action maxRedirects', () => {
  it.each([Number.NaN, -1, 1.5, Number.POSITIVE_INFINITY, '3' as unknown as number])(
    'refuses %s with a ValidationError naming maxRedirects',
    (maxRedirects) => {
      let caught: unknown;
      try {
        createHttpAction({ maxRedirects });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ValidationError);
      expect((caught as Error).message).toMatch(
        /^Invalid http action options: maxRedirects: must be a non-negative integer, got /,
      );
    },
  );

  it('takes 0 (no redirect followed) and the default', () => {
    expect(() => createHttpAction({ maxRedirects: 0 })).not.toThrow();
    expect(() => createHttpAction({})).not.toThrow();
  });
});

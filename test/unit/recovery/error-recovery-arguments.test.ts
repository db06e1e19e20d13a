/**
 * ErrorRecovery's remaining arguments get a ValidationError naming them instead of a silent
 * answer or a TypeError: `getBackoffDelay` of something that is not a retry number (1, 2, ...)
 * answered the first delay, `getAttempts` / `resetAttempts` of a non-string answered 0 or did
 * nothing, and `null` options threw a TypeError.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.js';
import { ErrorRecovery } from '../../../src/recovery/error-recovery.js';

describe('ErrorRecovery argument checks', () => {
  const recovery = new ErrorRecovery({ sleep: async () => undefined });

  it('refuses a retry number that is not a positive integer', () => {
    for (const bad of [0, -1, 2.5, Number.NaN, '2', undefined]) {
      expect(() => recovery.getBackoffDelay(bad as never)).toThrow(ValidationError);
    }
    expect(() => recovery.getBackoffDelay(0)).toThrow(/`retryNumber`/);
    expect(recovery.getBackoffDelay(1)).toBe(1);
    expect(recovery.getBackoffDelay(Number.MAX_SAFE_INTEGER)).toBe(5);
  });

  it('refuses a step name that is not a non-empty string in getAttempts and resetAttempts', () => {
    expect(() => recovery.getAttempts(7 as never)).toThrow(/`stepName`/);
    expect(() => recovery.resetAttempts('' as never)).toThrow(ValidationError);
  });

  it('refuses a misspelt option by name instead of keeping the default', () => {
    const make = () => new ErrorRecovery({ maxDelays: 30 } as never);
    expect(make).toThrow(ValidationError);
    expect(make).toThrow(/maxDelays.*unknown key|unknown key 'maxDelays'/);
    expect(() => new ErrorRecovery({ maxDelay: 30, sleep: undefined })).not.toThrow();
  });

  it('refuses null options with a ValidationError', async () => {
    expect(() => new ErrorRecovery(null as never)).toThrow(ValidationError);
    await expect(recovery.retryStep('s', null as never)).rejects.toBeInstanceOf(ValidationError);
  });

  it('names the call whose options cannot be read (a getter that throws)', async () => {
    const unreadable = (key: string) =>
      Object.defineProperty({}, key, {
        enumerable: true,
        get() {
          throw new Error('boom');
        },
      });
    expect(() => new ErrorRecovery(unreadable('baseDelay') as never)).toThrow(
      'Invalid ErrorRecovery options: baseDelay: could not be read (boom)',
    );
    await expect(recovery.retryStep('s', unreadable('maxAttempts') as never)).rejects.toThrow(
      'Invalid retry options: maxAttempts: could not be read (boom)',
    );
  });

  it('refuses a misspelt retryStep option instead of retrying 3 times', async () => {
    // { maxRetries: 0 } meant "no retry" and got the default 3 retries, each with its backoff.
    const own = new ErrorRecovery({ sleep: async () => undefined });
    await expect(own.retryStep('s', { maxRetries: 0 } as never)).rejects.toThrow(
      /maxRetries: unknown key 'maxRetries'/,
    );
    expect(own.getAttempts('s')).toBe(0);
    expect(await own.retryStep('s', { maxAttempts: 0 })).toBe(false);
  });
});

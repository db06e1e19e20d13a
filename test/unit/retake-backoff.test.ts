/** The wait before an execution given up after a store failure is taken up again. */
import { describe, expect, it } from 'vitest';
import { MAX_RETAKE_BACKOFF_MS, RetakeBackoff } from '../../src/engine/retake-backoff.js';

describe('RetakeBackoff', () => {
  it('takes up a first failure at the next round, then doubles from two rounds up to 5 minutes', () => {
    const backoff = new RetakeBackoff(1_000);
    const waits = [1, 2, 3, 4, 9, 10, 40, 5_000].map((n) => backoff.gaveUp('e', n, 0));
    expect(waits).toEqual([0, 2_000, 4_000, 8_000, 256_000, 300_000, 300_000, 300_000]);
    expect(MAX_RETAKE_BACKOFF_MS).toBe(300_000);
  });

  it('never waits less than a round once failures repeat, however long a round is', () => {
    expect(new RetakeBackoff(600_000).gaveUp('e', 2, 0)).toBe(600_000);
  });

  it('is due once its wait passed, and hands its count on once', () => {
    const backoff = new RetakeBackoff(1_000);
    expect(backoff.due('e', 0)).toBe(true);
    backoff.gaveUp('e', 3, 10_000);
    expect(backoff.due('e', 13_999)).toBe(false);
    expect(backoff.due('e', 14_000)).toBe(true);
    expect(backoff.failuresBefore('e')).toBe(3);
    expect(backoff.failuresBefore('e')).toBe(0);
    expect(backoff.due('e', 10_000)).toBe(true);
    backoff.gaveUp('e', 2, 0);
    backoff.forget('e');
    expect(backoff.due('e', 0)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { numberRanges } from '../../../src/cli/number-ranges.js';

describe('numberRanges', () => {
  it('lists short runs one by one and runs of three or more as ranges', () => {
    expect(numberRanges([])).toBe('');
    expect(numberRanges([7])).toBe('7');
    expect(numberRanges([1, 2])).toBe('1, 2');
    expect(numberRanges([1, 2, 3])).toBe('1–3');
    expect(numberRanges([1, 2, 4, 5, 6, 7, 9])).toBe('1, 2, 4–7, 9');
    expect(numberRanges(Array.from({ length: 150 }, (_, i) => i + 1))).toBe('1–150');
  });
});

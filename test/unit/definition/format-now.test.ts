/**
 * The format levels as this release has them: the expression fixes since levels began made
 * format 2, so a version with any expression stays off nodes that read format 1 (they would
 * evaluate `1u == 1` or `int(1 + 0.5)` otherwise), and one without expressions does not.
 */
import { describe, expect, it } from 'vitest';
import { requiredFormat } from '../../../src/definition/format.js';
import { DEFINITION_FORMAT } from '../../../src/definition/format-levels.js';

describe('requiredFormat in this release', () => {
  it('needs format 2 for a version with an expression, and 1 without', () => {
    expect(DEFINITION_FORMAT).toBeGreaterThanOrEqual(2);
    expect(requiredFormat([{ name: 'a' }, { name: 'b', retry: true }], { timeout: 5 })).toBe(1);
    expect(requiredFormat([{ name: 'a', input: "{'n': 1u == 1}" }], {})).toBe(2);
    expect(requiredFormat([{ name: 'c', condition: 'input.x == 1.0' }], {})).toBe(2);
  });
});

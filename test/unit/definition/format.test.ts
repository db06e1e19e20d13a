/**
 * The definition format a version needs, as a release one format newer than the previous one
 * computes it (here: one that pretends to have added `retry.jitter` and the function `shout`),
 * and the format a node's heartbeat says it reads.
 */
import { describe, expect, it, vi } from 'vitest';
import { formatOf, requiredFormat } from '../../../src/definition/format.js';

vi.mock('../../../src/definition/format-levels.js', async (original) => ({
  ...(await original<typeof import('../../../src/definition/format-levels.js')>()),
  DEFINITION_FORMAT: 3,
  FORMAT_ADDITIONS: [
    { level: 2, keys: ['retry.jitter'], expressions: true },
    { level: 3, functions: ['shout'] },
  ],
}));

describe('requiredFormat', () => {
  it('is 1 for a version that uses nothing added later', () => {
    expect(
      requiredFormat(
        [
          { name: 'a', retry: { maxAttempts: 2 } },
          { name: 'p', parallel: [{ name: 'b' }] },
        ],
        {},
      ),
    ).toBe(1);
  });

  it('is the level that changed how expressions evaluate for a version with any expression', () => {
    expect(requiredFormat([{ name: 'a', input: 'shouting(1)' }], {})).toBe(2);
    expect(requiredFormat([{ name: 'c', condition: 'true' }], {})).toBe(2);
    expect(requiredFormat([{ name: 'p', parallel: [{ name: 'b', input: 'input' }] }], {})).toBe(2);
  });

  it('is the level that added a key the version uses, wherever it sits', () => {
    const branch = { name: 'b', retry: { jitter: true } };
    expect(requiredFormat([{ name: 'p', parallel: [{ name: 'a' }, branch] }], {})).toBe(2);
    // The same name in another place is not that key.
    expect(requiredFormat([{ name: 'a', jitter: true }], { jitter: 1 })).toBe(1);
  });

  it('is the level that added a function a condition or input calls', () => {
    expect(requiredFormat([{ name: 'c', condition: 'shout(input.x) == "X"' }], {})).toBe(3);
    expect(requiredFormat([{ name: 'a', input: 'input.x.shout ()', retry: { jitter: true } }], {})).toBe(3);
  });
});

describe('formatOf', () => {
  it('reads info.definitionFormat, and 1 when a heartbeat does not say or says nonsense', () => {
    expect(formatOf({ definitionFormat: 3 })).toBe(3);
    expect(formatOf({ pid: 1 })).toBe(1);
    for (const bad of [0, -2, 1.5, '2', null]) expect(formatOf({ definitionFormat: bad })).toBe(1);
  });
});

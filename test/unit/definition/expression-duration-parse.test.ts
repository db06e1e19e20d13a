/**
 * `duration()` reads Go's duration syntax, as CEL does: the library read a unit with no number as
 * zero (`duration('s')` was `0s`) and refused a bare `'0'`.
 */
import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../../src/definition/expression.js';
import { failureMessage, refusal } from './expression-probes.js';

function run(source: string, input: unknown = null): unknown {
  return compileExpression(source).evaluate({ result: null, input, steps: {} });
}

describe('duration() of text', () => {
  it.each(['s', 'h', '.s', '-ms', '1h m', '-', '1h-30m'])('%j fails', (wait) => {
    const message = failureMessage(wait, () => run('duration(input.wait)', { wait }));
    expect(message).toContain(`Invalid duration string: '${wait}' (write numbers with a unit each`);
  });

  it.each([
    ['0', '0s'],
    ['-0', '0s'],
    ['+0', '0s'],
    ['0s', '0s'],
    ['.5s', '0.5s'],
    ['5.s', '5s'],
    ['1h30m', '5400s'],
    ['-1.5h', '-5400s'],
    ['250ms', '0.25s'],
    ['1µs', '0.000001s'],
  ])('%j is %j', (wait, expected) => {
    expect(run('duration(input.wait)', { wait })).toBe(expected);
  });

  it("refuses a literal unit alone in a new definition, and takes '0'", () => {
    expect(refusal("duration(input.wait) > duration('s')")?.message).toContain("duration('s') always fails");
    expect(refusal("duration(input.wait) > duration('0')")).toBeNull();
  });
});

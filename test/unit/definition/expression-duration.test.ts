/**
 * A duration an expression returns becomes the JSON text `duration()` reads back, exactly:
 * whole seconds and up to nine fraction digits. It was computed through milliseconds in a
 * double, so `duration('1ns')` came out as "9.999999999999999e-10s" (which `duration()` refuses)
 * and a long duration lost its last seconds.
 */
import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../../src/definition/expression.js';

const evaluate = (source: string, input: unknown = {}) =>
  compileExpression(source).evaluate({ result: null, input, steps: {} });

describe('a duration in an expression result', () => {
  it.each([
    ["duration('1.5s')", '1.5s'],
    ["duration('0s')", '0s'],
    ["duration('1ns')", '0.000000001s'],
    ["duration('1us')", '0.000001s'],
    ["duration('1ms')", '0.001s'],
    ["duration('1h1ns')", '3600.000000001s'],
    ["duration('-1.5s')", '-1.5s'],
    ["duration('-0.5s')", '-0.5s'],
    ["duration('-1ns')", '-0.000000001s'],
    ["duration('-2h')", '-7200s'],
    ["duration('1s') - duration('2.5s')", '-1.5s'],
    // Past 2^53 nanoseconds, up to CEL's longest duration (10,000 years; a longer one fails).
    ["duration('315575999999.999999999s')", '315575999999.999999999s'],
    ["duration('-315576000000s') + duration('1ns')", '-315575999999.999999999s'],
  ])('%s is %s', (source, text) => {
    expect(evaluate(source)).toBe(text);
  });

  it('is read back by duration() as the same duration', () => {
    for (const source of ["duration('1ns')", "duration('-0.5s')", "duration('3600.000000001s')"]) {
      const text = evaluate(source);
      expect(evaluate(`duration(input.d) == ${source}`, { d: text })).toBe(true);
    }
  });
});

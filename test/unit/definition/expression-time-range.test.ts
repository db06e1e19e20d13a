/**
 * CEL's timestamps run from year 0001 to 9999 and its durations span at most 10,000 years. The
 * expression library checks neither: a timestamp pushed past what a JavaScript date holds became
 * an invalid date, which compares false with everything, so `timestamp(input.at) + duration(input.d)
 * > timestamp(input.now)` was false without a word; and a duration of 10^12 hours was taken. Each
 * now fails the evaluation.
 */
import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../../src/definition/expression.js';
import { failureMessage, refusal } from './expression-probes.js';

const scope = {
  result: {
    at: '2020-01-01T00:00:00Z',
    far: '87600000h',
    longer: '87700000h',
    long: '87600000h',
    first: '0001-01-01T00:00:00Z',
  },
  input: {},
  steps: {},
};

function failure(source: string): string {
  return failureMessage(source, () => compileExpression(source).evaluate(scope));
}

const RANGE = 'outside 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z';

describe('timestamps and durations stay within CEL ranges', () => {
  it('fails a timestamp past year 9999 or before year 1', () => {
    expect(failure('timestamp(result.at) + duration(result.far) > timestamp(result.at)')).toBe(
      `Expression 'timestamp(result.at) + duration(result.far) > timestamp(result.at)' failed: timestamp overflow: the result is ${RANGE}`,
    );
    expect(failure('timestamp(result.at) - duration(result.far) < timestamp(result.at)')).toContain(
      `timestamp overflow: the result is ${RANGE}`,
    );
    expect(failure("timestamp(result.first) - duration('1s')")).toContain('timestamp overflow');
  });

  it('fails a duration longer than 10,000 years', () => {
    expect(failure('duration(result.longer) > duration("1s")')).toContain(
      'duration overflow: 315720000000s is outside -315576000000s to 315576000000s (10,000 years)',
    );
    expect(failure('duration("1s") - duration(result.long) - duration(result.long)')).toContain(
      'duration overflow',
    );
  });

  it('leaves values within the ranges alone', () => {
    expect(compileExpression('timestamp(result.at) + duration("8760h")').evaluate(scope)).toBe(
      '2020-12-31T00:00:00.000Z',
    );
    expect(compileExpression('timestamp(result.first) + duration("1s")').evaluate(scope)).toBe(
      '0001-01-01T00:00:01.000Z',
    );
    expect(
      compileExpression(
        'timestamp("9999-12-31T23:59:59Z") - timestamp(result.first) > duration("1s")',
      ).evaluate(scope),
    ).toBe(true);
  });

  it('refuses a duration literal longer than 10,000 years in a new definition', () => {
    const refused = refusal("{'wait': duration('87700000h')}", 'input');
    expect(refused?.issues[0]?.path).toBe('steps[0].input');
    expect(refused?.issues[0]?.message).toContain("duration('87700000h') always fails (duration overflow");
  });
});

/**
 * CEL converts a timestamp to its RFC 3339 text and to Unix seconds, and a duration to its text;
 * the library had none of these, so `string(timestamp(input.at))` was refused when defined ("found
 * no matching overload for 'string(google.protobuf.Timestamp)'").
 */
import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../../src/definition/expression.js';
import { refusal } from './expression-probes.js';

function run(source: string, input: unknown = null): unknown {
  return compileExpression(source).evaluate({ result: null, input, steps: {} });
}

describe('timestamp and duration conversions', () => {
  it.each([
    ["string(timestamp('2024-03-10T15:04:05Z'))", '2024-03-10T15:04:05Z'],
    ["string(timestamp('2024-03-10T15:04:00.000Z'))", '2024-03-10T15:04:00Z'],
    ["string(timestamp('2024-03-10T15:04:05.100Z'))", '2024-03-10T15:04:05.1Z'],
    ["string(timestamp('2024-03-10T15:04:05.120Z'))", '2024-03-10T15:04:05.12Z'],
    ["string(timestamp('2024-03-10T15:04:05.123Z'))", '2024-03-10T15:04:05.123Z'],
    ["string(timestamp('2024-03-10T20:34:05+05:30'))", '2024-03-10T15:04:05Z'],
    ["string(timestamp('0001-01-01T00:00:00Z'))", '0001-01-01T00:00:00Z'],
    ["string(duration('1h30m'))", '5400s'],
    ["string(duration('1.5s'))", '1.5s'],
    ["string(duration('-1.5s'))", '-1.5s'],
    ["string(duration('100ns'))", '0.0000001s'],
    ["string(duration('0s'))", '0s'],
    ["int(timestamp('2024-01-01T00:00:00Z'))", 1704067200],
    ["int(timestamp('2024-01-01T00:00:00.999Z'))", 1704067200],
    ["int(timestamp('1969-12-31T23:59:59.5Z'))", -1],
    ["'at ' + string(timestamp(input.at))", 'at 2024-03-10T15:04:05Z'],
    ['timestamp(string(timestamp(input.at))) == timestamp(input.at)', true],
    ['duration(string(duration(input.wait))) == duration(input.wait)', true],
    ['int(timestamp(input.at)) - int(timestamp(input.before))', 3600],
  ])('%s is %j', (source, expected) => {
    const input = { at: '2024-03-10T15:04:05Z', before: '2024-03-10T14:04:05Z', wait: '90m' };
    expect(run(source, input)).toBe(expected);
  });

  it('a definition may use them', () => {
    expect(refusal("string(timestamp(input.at)).startsWith('2024')")).toBeNull();
    expect(refusal('int(timestamp(input.at)) > 0')).toBeNull();
    expect(refusal("string(duration(input.wait)) == '60s'")).toBeNull();
  });
});

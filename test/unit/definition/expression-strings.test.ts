/**
 * CEL's string functions count and order by code point; the library counted UTF-16 units in
 * `substring`, `indexOf` and `lastIndexOf` (`'😀x'.substring(1)` gave half an emoji), ordered `<` by
 * unit, changed non-ASCII letters in `lowerAscii`/`upperAscii`, and trimmed U+FEFF but not U+0085.
 */
import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../../src/definition/expression.js';
import { byCodePoints, byCodeUnits } from '../../../src/string-order.js';
import { failureMessage } from './expression-probes.js';

const input = { emoji: '😀x😀y', plain: 'hello', lone: '\ud83dz', bom: '\ufeffa\u0085', mixed: 'ÄBß' };

function run(source: string): unknown {
  return compileExpression(source).evaluate({ result: null, input, steps: {} });
}

describe('string functions count code points', () => {
  it.each([
    ["'😀x'.substring(1)", 'x'],
    ['input.emoji.substring(1)', 'x😀y'],
    ['input.emoji.substring(2, 3)', '😀'],
    ['input.emoji.substring(4)', ''],
    ['input.plain.substring(1, 3)', 'el'],
    ["input.emoji.indexOf('x')", 1],
    ["input.emoji.indexOf('y')", 3],
    ["input.emoji.indexOf('😀', 1)", 2],
    ["input.emoji.indexOf('z')", -1],
    ["input.emoji.indexOf('')", 0],
    ["input.emoji.lastIndexOf('😀')", 2],
    ["input.emoji.lastIndexOf('😀', 1)", 0],
    ["input.emoji.lastIndexOf('')", 4],
    ["input.plain.lastIndexOf('l')", 3],
    ['size(input.emoji)', 4],
  ])('%s is %j', (source, expected) => {
    expect(run(source)).toEqual(expected);
  });

  it('never matches half of a pair', () => {
    // The lone high surrogate of `lone` matches; the high half of an emoji does not.
    expect(run('input.emoji.indexOf(input.lone.substring(0, 1))')).toBe(-1);
    expect(run('input.lone.indexOf(input.lone.substring(0, 1))')).toBe(0);
  });

  it.each([
    ['input.emoji.substring(5)', 'start index out of range'],
    ['input.emoji.substring(-1)', 'start index out of range'],
    ['input.emoji.substring(1, 5)', 'end index out of range'],
    ['input.emoji.substring(3, 2)', 'end index out of range'],
    ["input.emoji.indexOf('x', 4)", 'fromIndex out of range'],
    ["input.emoji.lastIndexOf('x', -1)", 'fromIndex out of range'],
  ])('%s fails: %s', (source, why) => {
    expect(failureMessage(source, () => run(source))).toContain(why);
  });

  it('leaves other receivers to the library', () => {
    expect(failureMessage('input.substring(1)', () => run('input.substring(1)'))).toMatch(/failed/);
  });
});

describe('split and matches take whole characters', () => {
  it.each([
    ["input.emoji.split('')", ['😀', 'x', '😀', 'y']],
    ["input.emoji.split('', 2)", ['😀', 'x😀y']],
    ["input.emoji.split('', 0)", []],
    ["input.emoji.split('', -1)", ['😀', 'x', '😀', 'y']],
    ["'a,b,c'.split(',', 2)", ['a', 'b,c']],
    ["'a,b,c'.split(',')", ['a', 'b', 'c']],
    ["'😀'.matches('^.$')", true],
    ["input.emoji.matches('^[^a]x')", true],
    [String.raw`'a-b'.matches('a\\-b')`, true],
    ["'ab'.matches('^a{')", false],
    ["'abc'.matches('b')", true],
  ])('%s is %j', (source, expected) => {
    expect(run(source)).toEqual(expected);
  });
});

describe('ASCII case and trim', () => {
  it.each([
    ['input.mixed.lowerAscii()', 'Äbß'],
    ['input.mixed.upperAscii()', 'ÄBß'],
    ["'ß'.upperAscii()", 'ß'],
    ["'Hello World'.upperAscii()", 'HELLO WORLD'],
    ["'Hello World'.lowerAscii()", 'hello world'],
    ['input.bom.trim()', '\ufeffa'],
    ["' \\t a b \\u3000'.trim()", 'a b'],
  ])('%s is %j', (source, expected) => {
    expect(run(source)).toBe(expected);
  });
});

describe('string order is by code point', () => {
  it.each([
    ["'😀' > '\\uFFFD'", true],
    ["'😀' < '\\uFFFD'", false],
    ["'\\uFFFD' <= '😀'", true],
    ["'a' < 'b'", true],
    ["'ab' > 'a'", true],
    ["'a' >= 'a'", true],
    ['1 < 2', true],
    ['2.5 > 3', false],
  ])('%s is %s', (source, expected) => {
    expect(run(source)).toBe(expected);
  });

  it('orders a pair after a lone surrogate and agrees with code units elsewhere', () => {
    expect(byCodePoints('\ud83d\ude00', '\ud83d\uffff')).toBeGreaterThan(0);
    expect(byCodePoints('\ud83d\ud83d\ude00', '\ud83d\ue000')).toBeGreaterThan(0);
    expect(byCodeUnits('😀', '\ufffd')).toBeLessThan(0);
    const words = ['b', 'a', 'ab', '', 'é', 'z', 'A'];
    const points = [...words].sort(byCodePoints);
    expect(points).toEqual([...words].sort(byCodeUnits));
    const mixed = ['\ufffd', '😀', '\ue000', 'a'];
    expect(mixed.sort(byCodePoints)).toEqual(['a', '\ue000', '\ufffd', '😀']);
  });
});

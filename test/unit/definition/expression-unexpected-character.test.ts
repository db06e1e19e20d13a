/**
 * An expression refused for a character the parser cannot take names that character whole, with
 * its code point. The library named one UTF-16 unit: an emoji showed as half its surrogate pair
 * (`Unexpected character: �`), a zero-width or no-break space pasted with the text as nothing at
 * all, and after a complete expression it named the last unit of the next token (`123abc` gave
 * `'c'`, the mistake being the `a`).
 */
import { ParseError } from '@marcbachmann/cel-js';
import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../../src/definition/expression.js';
import {
  unexpectedCharacter,
  unexpectedCharacterProblem,
} from '../../../src/definition/expression-character.js';
import { refusal, refused } from './expression-probes.js';

describe('an unexpected character in an expression', () => {
  it('is quoted with its code point and place', () => {
    expect(refused('input.n § 2')).toBe(
      'Invalid expression \'input.n § 2\': unexpected character "§" (U+00A7) at column 9',
    );
    expect(refused("input.s == 'é' && input.n = 1")).toMatch(
      /: unexpected character "=" \(U\+003D\) at column 27$/,
    );
    expect(refused('input.n >\n  1 ;')).toMatch(
      /: unexpected character ";" \(U\+003B\) at line 2, column 5$/,
    );
  });

  it('names an emoji whole, not half of its surrogate pair, with what joins it', () => {
    expect(refused("'😀' == 😀")).toBe(
      "Invalid expression ''😀' == 😀': unexpected character \"😀\" (U+1F600) at column 8",
    );
    expect(refused('input.n == 👍🏽')).toMatch(
      /: unexpected character "👍🏽" \(U\+1F44D U\+1F3FD\) at column 12$/,
    );
    expect(refused('input.c == 🇫🇷')).toMatch(
      /: unexpected character "🇫🇷" \(U\+1F1EB U\+1F1F7\) at column 12$/,
    );
    // A letter under more marks than a character's name should carry: the letter alone.
    const heavy = `ǅ${'\u0301'.repeat(9)}`;
    expect(refused(`input.n == 1 ${heavy}`)).toMatch(/: unexpected character "ǅ" \(U\+01C5\) at column 14$/);
  });

  it('names the character where the parser stopped after a complete expression, not the end of the next token', () => {
    expect(refused('123abc')).toBe(
      'Invalid expression \'123abc\': unexpected character "a" (U+0061) at column 4',
    );
    expect(refused("input.n == 1 'yes'")).toMatch(/: unexpected character "'" \(U\+0027\) at column 14$/);
  });

  it('gives an invisible character by its code point and what it is', () => {
    const cases: Array<[string, string]> = [
      ['input.n\u0000', 'U+0000 (NUL) at column 8'],
      ['input.n\u200b== 1', 'U+200B (zero width space) at column 8'],
      ['input.n\u00a0== 1', 'U+00A0 (no-break space) at column 8'],
      ['input.n ==\ufeff1', 'U+FEFF (byte order mark) at column 11'],
      ['input.n\u000c', 'U+000C (form feed) at column 8'],
      ['input.n == 1\u2028', 'U+2028 (line separator) at column 13'],
      ['input.n == 1\u0007', 'U+0007 (a control character) at column 13'],
      ['input.n == 1\u2003', 'U+2003 (a space) at column 13'],
      ['input.n == 1\u2066', 'U+2066 (a format character) at column 13'],
      ['input.n == 1\ue000', 'U+E000 (a private-use character) at column 13'],
      ['input.n == 1\u0378', 'U+0378 (an unassigned code point) at column 13'],
      ["input.s == '\ud83d' \ud83d", 'U+D83D (an unpaired surrogate) at column 16'],
    ];
    for (const [source, named] of cases)
      expect(refused(source)).toMatch(
        new RegExp(`: unexpected character ${named.replace(/[()+]/g, '\\$&')}$`),
      );
    // A combining mark the parser stopped at, after the letter it joins, is at that letter's column.
    expect(refused('re\u0301sume')).toMatch(
      /: unexpected character U\+0301 \(a combining mark\) at column 2$/,
    );
  });

  it('shows in the ValidationError of a definition, with the path', () => {
    expect(refusal("result.status\u200b== 'ok'")?.issues).toEqual([
      {
        path: 'steps[0].condition',
        message:
          "Invalid expression 'result.status\u200b== 'ok'': unexpected character U+200B (zero width space) at column 14",
      },
    ]);
  });

  it('takes a tab as white space everywhere, so never names one', () => {
    expect(compileExpression("input.n\t==\t1 &&\t'a\tb' != ''").source).toContain('\t');
  });

  it('leaves other syntax errors and places that are not a character to the library', () => {
    expect(refused('input.n >')).toMatch(/: Unexpected token: EOF at column 10/);
    // Another syntax error, and one at a character but with no place given.
    expect(unexpectedCharacterProblem('a', new ParseError('Unterminated string'))).toBeNull();
    const unplaced = new ParseError({ code: 'unexpected_character', message: 'Unexpected character: x' });
    expect(unexpectedCharacterProblem('a', unplaced)).toBeNull();
    const placed = new ParseError({
      code: 'unexpected_character',
      message: 'x',
      range: { start: 1, end: 2 },
    });
    expect(unexpectedCharacterProblem('a§', placed)).toBe('unexpected character "§" (U+00A7)');
    expect(unexpectedCharacterProblem('a', new Error('Unexpected character: x'))).toBeNull();
    for (const offset of [-1, 1, 0.5]) expect(unexpectedCharacter('a', offset)).toBeNull();
    expect(unexpectedCharacter('a😀', 1)).toBe('unexpected character "😀" (U+1F600)');
  });
});

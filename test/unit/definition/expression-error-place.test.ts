/**
 * A syntax error in an expression says where it is: `at column N` in a one-line expression, `at line
 * L, column C` in a multi-line one, counted in characters as they show (an emoji before the mistake
 * is one, not the two UTF-16 units the parser counts). It said only `Invalid expression '…':
 * Unexpected token: RPAREN`, and the echoed source is cut at 80 characters and has its line breaks
 * flattened, so in a long condition the user had to find the mistake alone.
 */
import { ParseError } from '@marcbachmann/cel-js';
import { describe, expect, it } from 'vitest';
import { expressionPlace, syntaxErrorOffset } from '../../../src/definition/expression-place.js';
import { refusal, refused } from './expression-probes.js';

describe('the place of a syntax error in an expression', () => {
  it('is a column in a one-line expression', () => {
    expect(refused("result.status == 'ok' && )")).toBe(
      "Invalid expression 'result.status == 'ok' && )': Unexpected token: RPAREN at column 26",
    );
    expect(refused('[1, 2,, 3]')).toBe(
      "Invalid expression '[1, 2,, 3]': Unexpected token: COMMA at column 7",
    );
  });

  it('is a line and a column in a multi-line one, whatever its line breaks', () => {
    const lines = ["result.status == 'ok' &&", '  input.n > 1 &&', '  )'];
    const expected = 'Unexpected token: RPAREN at line 3, column 3';
    // The echo flattens the lines; the place is in the expression as written.
    expect(refused(lines.join('\n'))).toBe(
      `Invalid expression 'result.status == 'ok' && input.n > 1 && )': ${expected}`,
    );
    expect(refused(lines.join('\r\n'))).toContain(`: ${expected}`);
    expect(refused(lines.join('\r'))).toContain(`: ${expected}`);
    // An error on the first line of several still names the line.
    expect(refused('input.n >> 1 &&\n  true')).toMatch(/: Unexpected token: GT at line 1, column 10$/);
  });

  it('counts an astral character or a cluster of code points before the error as one column', () => {
    // UTF-16 units put the `)` at index 20; it is the 20th character the user sees.
    expect(refused("'😀😀' == input.s && )")).toMatch(/Unexpected token: RPAREN at column 20$/);
    // A skin tone, a flag (two regional indicators) and an accent written as a combining mark.
    expect(refused("'👍🏽🇫🇷' == input.s && )")).toMatch(/Unexpected token: RPAREN at column 20$/);
    expect(refused("'e\u0301' == input.s && )")).toMatch(/Unexpected token: RPAREN at column 19$/);
    // Only the error's own line counts: characters on the lines before do not shift the column.
    expect(refused("'😀😀😀' == input.s &&\n'🇫🇷' == )")).toMatch(/RPAREN at line 2, column 8$/);
  });

  it('says so when the error is at the end of the expression', () => {
    expect(refused('input.n >')).toBe(
      "Invalid expression 'input.n >': Unexpected token: EOF at column 10 (where the expression ends)",
    );
    expect(refused("size('😀') == (1")).toMatch(
      /Expected RPAREN, got EOF at column 16 \(where the expression ends\)$/,
    );
    expect(refused('input.n >\n  // nothing follows\n')).toMatch(
      /Unexpected token: EOF at line 3, column 1 \(where the expression ends\)$/,
    );
  });

  it('names the place of a line break inside a quoted string, at the end of its line', () => {
    expect(refused("input.s == 'ab\ncd'")).toMatch(
      /Newlines not allowed in single-quoted strings at line 1, column 15$/,
    );
    expect(refused("input.s == 'ab\r\ncd'")).toMatch(/strings at line 1, column 15$/);
  });

  it('shows in the ValidationError of a definition, with the path', () => {
    expect(refusal('input.n >\n  ')?.issues).toEqual([
      {
        path: 'steps[0].condition',
        message:
          "Invalid expression 'input.n >': Unexpected token: EOF at line 2, column 3 (where the expression ends)",
      },
    ]);
  });

  it('is left out when it is not known, and for errors that are not syntax errors', () => {
    expect(syntaxErrorOffset(new ParseError('no place given'))).toBeNull();
    expect(syntaxErrorOffset(new Error('at 3'))).toBeNull();
    expect(syntaxErrorOffset('text')).toBeNull();
    for (const offset of [null, -1, 1.5, Number.NaN, 4]) expect(expressionPlace('a +', offset)).toBe('');
    // A type error is not placed (its range is the whole operation, not a mistake in the text).
    expect(refused("'a' + 1")).toBe("Invalid expression ''a' + 1': no such overload: string + int");
  });

  it('puts an offset inside a character (a mark joining the letter before) at that character', () => {
    expect(expressionPlace('result\u0301', 6)).toBe(' at column 6');
    expect(expressionPlace('x == 1\r\ny', 7)).toBe(' at line 1, column 7');
    expect(expressionPlace('x == 1\r\ny', 8)).toBe(' at line 2, column 1');
    expect(expressionPlace('x\n', 2)).toBe(' at line 2, column 1 (where the expression ends)');
  });
});

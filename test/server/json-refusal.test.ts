/**
 * The refusal of a request body that is not JSON names where the problem is (line and column),
 * also when JSON.parse's own message gives no position: an unexpected character ("Unexpected
 * token 'x', …") used to be named without saying where, which in a long or multi-line body leaves
 * the sender searching for it. The place is found by one pass over the body (jsonErrorOffset),
 * not from the excerpt the engine quotes.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { jsonBodyRefusal } from '../../src/server/json-refusal.js';

/** The refusal of a body that is not JSON, saying `detail`. */
const notJson = (detail: string) => `Request body is not valid JSON: ${detail}`;

describe('jsonBodyRefusal', () => {
  it('says where an unexpected character is', () => {
    expect(jsonBodyRefusal('{"actions": [stt]}')).toBe(
      notJson('unexpected character "s" at line 1, column 14'),
    );
    expect(jsonBodyRefusal('{\n  "actions": [\n    1,\n  ]\n}')).toBe(
      notJson('unexpected character "]" at line 4, column 3'),
    );
  });

  it('names the character the parser stopped at, not one it read as the start of a value', () => {
    // `t` may begin `true`: the `}` after it is what cannot be read.
    expect(jsonBodyRefusal('{"a":t}')).toBe(notJson('unexpected character "}" at line 1, column 7'));
    expect(jsonBodyRefusal('nulx')).toBe(notJson('unexpected character "x" at line 1, column 4'));
  });

  it('keeps the messages that had a position, and the one for a body cut short', () => {
    expect(jsonBodyRefusal('{"actions": ["stt"],}')).toBe(
      notJson('expected double-quoted property name at line 1, column 21'),
    );
    expect(jsonBodyRefusal('{"actions": ')).toBe(notJson('it ends before its value is complete'));
  });

  it('says where text follows a complete value, and names a character outside the BMP whole', () => {
    expect(jsonBodyRefusal('{"a": 1}\n}')).toBe(notJson('unexpected character "}" at line 2, column 1'));
    expect(jsonBodyRefusal('NaN')).toBe(notJson('unexpected character "N" at line 1, column 1'));
    // Columns count UTF-16 code units, as before: the emoji takes two.
    expect(jsonBodyRefusal('{"naïve": "😀",\n "b": [😀]}')).toBe(
      notJson('unexpected character "😀" at line 2, column 8'),
    );
    // An invisible one shows escaped (json-refusal-invisible.test.ts).
    expect(jsonBodyRefusal('\uFEFF{}')).toBe(notJson('unexpected character "\\ufeff" at line 1, column 1'));
  });

  it("keeps the engine's wording where it gives a position: a bad escape, a string cut short", () => {
    expect(jsonBodyRefusal('{"a": "é\\q"}')).toBe(notJson('bad escaped character at line 1, column 10'));
    expect(jsonBodyRefusal('{"a": "b')).toBe(
      notJson('unterminated string at line 1, column 9 (where the body ends)'),
    );
  });

  it('says a body of nothing, or of whitespace only, holds no value rather than that it ends too soon', () => {
    expect(jsonBodyRefusal('')).toBe(notJson('it is empty'));
    expect(jsonBodyRefusal(' \r\n\t')).toBe(notJson('it holds only whitespace, no value'));
    // Whitespace JSON does not allow is a character it did not expect.
    expect(jsonBodyRefusal('\u00a0')).toBe(notJson('unexpected character "\\u00a0" at line 1, column 1'));
  });

  it('finds the place in a deeply nested body', () => {
    const body = `${'['.repeat(100_000)}x`;
    expect(jsonBodyRefusal(body)).toBe(notJson('unexpected character "x" at line 1, column 100001'));
  });

  afterEach(() => vi.restoreAllMocks());

  it('finds the character in a large body with no parse but the one that refused it', () => {
    const body = `[${'1,'.repeat(512 * 1024)}x]`;
    const parse = vi.spyOn(JSON, 'parse');
    expect(jsonBodyRefusal(body)).toBe(
      notJson(`unexpected character "x" at line 1, column ${body.length - 1}`),
    );
    expect(parse.mock.calls.length).toBe(1);
  });

  it('finds the place, not a copy of the text around it earlier in a string', () => {
    const body = `["1,1,1,1,1,x]", ${'1,'.repeat(20)}1,1,1,1,1,x]`;
    expect(jsonBodyRefusal(body)).toBe(
      notJson(`unexpected character "x" at line 1, column ${body.length - 1}`),
    );
    const long = `[${'"1,1,1,1,1,x]",'.repeat(5)}${'1,'.repeat(64 * 1024)}1,1,1,1,1,x]`;
    expect(jsonBodyRefusal(long)).toBe(
      notJson(`unexpected character "x" at line 1, column ${long.length - 1}`),
    );
  });
});

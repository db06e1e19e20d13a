/**
 * The refusal of a request body that is not JSON names where the problem is (line and column),
 * also when JSON.parse's own message gives no position: an unexpected character ("Unexpected
 * token 'x', …") used to be named without saying where, which in a long or multi-line body leaves
 * the sender searching for it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { jsonBodyRefusal } from '../../src/server/json-refusal.js';

describe('jsonBodyRefusal', () => {
  it('says where an unexpected character is', () => {
    expect(jsonBodyRefusal('{"actions": [stt]}')).toBe(
      'Request body is not valid JSON: unexpected character "s" at line 1, column 14',
    );
    expect(jsonBodyRefusal('{\n  "actions": [\n    1,\n  ]\n}')).toBe(
      'Request body is not valid JSON: unexpected character "]" at line 4, column 3',
    );
  });

  it('names the character the parser stopped at, not one it read as the start of a value', () => {
    // `t` may begin `true`: the `}` after it is what cannot be read.
    expect(jsonBodyRefusal('{"a":t}')).toBe(
      'Request body is not valid JSON: unexpected character "}" at line 1, column 7',
    );
    expect(jsonBodyRefusal('nulx')).toBe(
      'Request body is not valid JSON: unexpected character "x" at line 1, column 4',
    );
  });

  it('keeps the messages that had a position, and the one for a body cut short', () => {
    expect(jsonBodyRefusal('{"actions": ["stt"],}')).toBe(
      'Request body is not valid JSON: expected double-quoted property name at line 1, column 21',
    );
    expect(jsonBodyRefusal('{"actions": ')).toBe(
      'Request body is not valid JSON: it ends before its value is complete',
    );
  });

  afterEach(() => vi.restoreAllMocks());

  it('finds the character in a large body in a few parses, from the excerpt the engine quotes', () => {
    const body = `[${'1,'.repeat(512 * 1024)}x]`;
    const parse = vi.spyOn(JSON, 'parse');
    expect(jsonBodyRefusal(body)).toBe(
      `Request body is not valid JSON: unexpected character "x" at line 1, column ${body.length - 1}`,
    );
    expect(parse.mock.calls.length).toBeLessThanOrEqual(3);
  });

  it('checks where the excerpt occurs: a copy of it earlier in a string is not the place', () => {
    const body = `["1,1,1,1,1,x]", ${'1,'.repeat(20)}1,1,1,1,1,x]`;
    expect(jsonBodyRefusal(body)).toBe(
      `Request body is not valid JSON: unexpected character "x" at line 1, column ${body.length - 1}`,
    );
  });

  it('names the character only in a long body whose excerpt occurs too often to try every place', () => {
    const body = `[${'"1,1,1,1,1,x]",'.repeat(5)}${'1,'.repeat(64 * 1024)}1,1,1,1,1,x]`;
    const parse = vi.spyOn(JSON, 'parse');
    expect(jsonBodyRefusal(body)).toBe('Request body is not valid JSON: unexpected character "x"');
    expect(parse.mock.calls.length).toBeLessThanOrEqual(9);
  });
});

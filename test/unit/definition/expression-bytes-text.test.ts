/**
 * `string()` of bytes that are not UTF-8 fails, as in CEL: the library put U+FFFD for each byte it
 * could not read (`string(b'\xff')` was `'�'`), so a comparison decided on text no one sent.
 */
import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../../src/definition/expression.js';
import { failureMessage } from './expression-probes.js';

function run(source: string): unknown {
  return compileExpression(source).evaluate({ result: null, input: null, steps: {} });
}

describe('string() of bytes', () => {
  it.each([
    ["string(b'\\xff') == '\\ufffd'", 1],
    ["string(b'\\xc3')", 1],
    ["string(b'a\\xed\\xa0\\x80')", 4],
  ])('%s fails', (source, length) => {
    expect(failureMessage(source, () => run(source))).toBe(
      `Expression '${source}' failed: string() of bytes that are not UTF-8 text (${length} bytes)`,
    );
  });

  it.each([
    ["string(bytes('é'))", 'é'],
    ["string(b'\\xc3\\xa9')", 'é'],
    ["string(b'')", ''],
    ["string(b'\\xef\\xbb\\xbfa')", '\ufeffa'],
  ])('%s is %j', (source, expected) => {
    expect(run(source)).toBe(expected);
  });
});

/**
 * An expression that reads a key its map lacks — a typo such as `input.audio_url` for the
 * `audioUrl` the input has — failed the step with the library's bare "No such key: audio_url",
 * which does not say what the map does hold. The message now names its keys (the first ten):
 * `(the keys of input: 'audioUrl', 'userId')`, or says the map is empty.
 */
import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../../src/definition/expression.js';
import type { ExpressionScope } from '../../../src/definition/types.js';

function failure(source: string, scope: ExpressionScope): string {
  try {
    compileExpression(source).evaluate(scope);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('evaluated');
}

describe('a key the map read from lacks', () => {
  it('names the keys the map has', () => {
    const scope = { result: null, input: { audioUrl: 'a', userId: 1 }, steps: {} };
    expect(failure("{'url': input.audio_url}", scope)).toBe(
      "Expression '{'url': input.audio_url}' failed: No such key: audio_url (the keys of input: 'audioUrl', 'userId')",
    );
  });

  it('names the first ten of many, and says when the map is empty', () => {
    const many = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`k${i}`, i]));
    expect(failure('input.nope', { result: null, input: many, steps: {} })).toBe(
      "Expression 'input.nope' failed: No such key: nope (the keys of input: 'k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8', 'k9' and 2 more)",
    );
    expect(failure('result.text', { result: {}, input: {}, steps: {} })).toBe(
      "Expression 'result.text' failed: No such key: text (result is an empty map)",
    );
  });

  it('escapes and cuts keys as other messages repeat text', () => {
    const input = { 'a\nb': 1, ['x'.repeat(100)]: 2 };
    expect(failure('input.c', { result: null, input, steps: {} })).toBe(
      `Expression 'input.c' failed: No such key: c (the keys of input: 'a\\u000ab', '${'x'.repeat(64)}…' (100 characters))`,
    );
  });
});

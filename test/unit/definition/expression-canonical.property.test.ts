/**
 * The canonical text of an expression means what the expression means: whenever the expression
 * library parses a text, it parses its canonical text to the same tree (positions aside). So two
 * texts with one canonical text are one expression, and a version is kept only for one that is;
 * and an expression however its white space between tokens is written has one canonical text.
 */
import { type ASTNode, parse } from '@marcbachmann/cel-js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalExpression } from '../../../src/definition/expression-canonical.js';

/** The parse tree of `source` without positions, as JSON, or null when the library refuses it. */
function tree(source: string): string | null {
  let ast: ASTNode;
  try {
    ast = parse(source).ast;
  } catch {
    return null;
  }
  return JSON.stringify(ast, (key, value: unknown) => {
    if (key === 'pos' || key === 'start' || key === 'end') return undefined;
    if (typeof value === 'bigint') return `${value}n`;
    if (value instanceof Uint8Array) return `bytes:${[...value].join(',')}`;
    return value;
  });
}

/** Pieces of expressions, and the quotes and operator halves that make tokens join or part. */
// biome-ignore format: a table of pieces reads better in rows.
const PIECES = [
  'input', 'a', 'in', 'x', 'r', 'b', 'R', 'e', 'E', 'u', '1', '0', '5', '0x1', '.', '..', '+', '-',
  '*', '/', '//', '%', '=', '==', '!', '!=', '<', '<=', '>', '>=', '&', '&&', '|', '||', '?', ':',
  ',', '(', ')', '[', ']', '{', '}', "'", '"', "'''", '"""', '\\', "'a b'", '"a  b"', "r'\\d '",
  "b'x y'", "'''a ' b'''", 'size', 'true', 'null', '`',
];
const SPACE = ['', ' ', '  ', '\t', '\n', '\r\n', ' \n '];

const textArb = fc
  .array(fc.tuple(fc.constantFrom(...PIECES), fc.constantFrom(...SPACE)), { minLength: 1, maxLength: 12 })
  .map((parts) => parts.map(([piece, space]) => piece + space).join(''));

/**
 * Accepted expressions, with `~` where white space may go between two tokens and `^` where some
 * must (`x^in^y`); inside literals and comments none is added.
 */
const CORPUS = [
  "{~'text'~:~steps.transcribe.output.text,~'n':~size(~input.items~)~+~1~}",
  "input.x~>~1~&&~input.s~==~'a  b'~||~!(input.y^in^[1,~2.5,~-3])",
  "input.s.startsWith(r'\\d ')~?~b'a b'~:~'''it's  '''~+~\"x\"",
  'input.items.map(i,~i~*~2)~.filter(j,~j~>=~1e-3)~// doubled\n~.size()~!=~0u',
  "has(input.a)~?~input.a['b c']~:~1.0~-~0.5",
  'input.n^in^input.list~&&~1^in^[1]~&&~-1~<~-~-2',
];
const GAPS = ['', ' ', '  ', '\t', '\n  ', '\r\n'];

/** `source` of the corpus with its gaps filled from `gaps`, in turn. */
function spaced(source: string, gaps: readonly string[]): string {
  let gap = 0;
  return source.replace(/[~^]/g, (mark) => {
    const space = gaps[gap++ % gaps.length] ?? '';
    return mark === '^' && space === '' ? ' ' : space;
  });
}

const corpusArb = fc.constantFrom(...CORPUS);
const gapsArb = fc.array(fc.constantFrom(...GAPS), { minLength: 1, maxLength: 40 });
const spacedArb = fc.tuple(corpusArb, gapsArb).map(([source, gaps]) => spaced(source, gaps));

describe('the canonical text of an expression', () => {
  it('parses to the same tree as the text, whenever the text parses', () => {
    fc.assert(
      fc.property(fc.oneof(textArb, spacedArb), (source) => {
        const before = tree(source);
        if (before === null) return;
        expect(tree(canonicalExpression(source))).toBe(before);
      }),
      { numRuns: 5000 },
    );
  });

  it('is one for an expression however the white space between its tokens is written', () => {
    fc.assert(
      fc.property(corpusArb, gapsArb, gapsArb, (source, a, b) => {
        const [one, other] = [spaced(source, a), spaced(source, b)];
        expect(tree(one), one).not.toBeNull();
        expect(tree(other)).toBe(tree(one));
        expect(canonicalExpression(other)).toBe(canonicalExpression(one));
      }),
      { numRuns: 500 },
    );
  });
});

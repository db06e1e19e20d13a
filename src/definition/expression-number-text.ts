/**
 * `int()`, `uint()` and `double()` of text read decimal numbers only, as CEL does. The library reads
 * the text with JavaScript's `BigInt` and `Number`, which also take a base prefix: `int('0b101')` was
 * 5, `int('0o17')` 15, `int('0X10')` 16 (only `'0x'` was refused) and `double('0x10')` 16, so a code
 * such as `'0b11'` in the data became a number no one wrote; and `double('1e400')` was Infinity (CEL
 * fails: the text is out of range), on which a condition decided without a word. {@link guardNumberText}
 * makes those fail; `double('inf')` and `double('NaN')` still name those values. `int('')` and `uint('')`
 * were 0 (JavaScript's `BigInt('')`), so an empty field read as a count of zero; they fail now, as in
 * CEL, and so does `uint('+1')` or `uint('-0')`: CEL reads a uint's text without a sign.
 * @module
 */
import { echo } from '../echo.js';
import { callName, type FunctionHandle, forEachNode, type HandledNode } from './cel-ast.js';

const CONVERSIONS: ReadonlySet<string> = new Set(['int', 'uint', 'double']);

/** A base prefix after an optional sign: `0x`, `0X`, `0b`, `0B`, `0o`, `0O`. */
const BASE_PREFIX = /^[+-]?0[xXbBoO]/;

/** The text that names a double that is not a finite number, as CEL reads it. */
const NAMED = /^[+-]?(?:inf|infinity|nan)$/i;

/** The text `int()` reads (decimal digits, a sign allowed) and `uint()` reads (digits only). */
const INTEGER_TEXT: Readonly<Record<string, RegExp>> = { int: /^[+-]?\d+$/, uint: /^\d+$/ };

/** Why `name()` cannot read `text`, or null when the library may. */
function textProblem(name: string, text: string): string | null {
  if (text === '') return 'the text is empty';
  if (text.trim() === '') return 'the text is only white space';
  if (text !== text.trim()) return 'the text has white space around the number';
  const shape = INTEGER_TEXT[name];
  if (shape === undefined || shape.test(text)) return null;
  return name === 'uint'
    ? 'only decimal digits are read, without a sign'
    : 'only decimal digits are read, with an optional sign';
}

function guardNode(node: HandledNode<FunctionHandle>): void {
  const library = node.handle;
  const name = callName(node);
  if (typeof library !== 'function' || name === null || !CONVERSIONS.has(name)) return;
  node.handle = (values, self, ev) => {
    const text = values[0];
    if (values.length === 1 && typeof text === 'string' && BASE_PREFIX.test(text)) {
      throw new Error(
        `${name}() of ${echo(text)}: only decimal text is read, not a base prefix such as 0x, 0b or 0o`,
      );
    }
    const problem = values.length === 1 && typeof text === 'string' ? textProblem(name, text) : null;
    if (problem !== null) throw new Error(`${name}() of ${echo(String(text))}: ${problem}`);
    const value = library(values, self, ev);
    if (
      name === 'double' &&
      typeof value === 'number' &&
      !Number.isFinite(value) &&
      typeof text === 'string' &&
      !NAMED.test(text)
    ) {
      throw new Error(`double() of '${text}': the number is past the double range`);
    }
    return value;
  };
}

/**
 * Makes the `int()`, `uint()` and `double()` calls of `ast` (a checked expression) refuse text with a
 * base prefix, and `int()` and `uint()` text that is not decimal digits (`''`, `' 1'`).
 */
export function guardNumberText(ast: unknown): void {
  forEachNode(ast, guardNode);
}

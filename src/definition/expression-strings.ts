/**
 * CEL's string functions count and order by Unicode code point; @marcbachmann/cel-js uses
 * JavaScript's UTF-16 code units for some of them, so text with an emoji or another character past
 * U+FFFF came out wrong: `'😀x'.substring(1)` gave half of the emoji (a lone surrogate, which then
 * failed as a step's input), `indexOf` and `lastIndexOf` counted the emoji as two, and `<` put
 * `'😀'` before `'\uFFFD'`. `lowerAscii()` and `upperAscii()` changed every letter (`'ß'.upperAscii()`
 * gave `'SS'`), and `trim()` removed U+FEFF, which is not white space, but kept U+0085, which is.
 * The library's overloads cannot be replaced, so {@link guardStrings} replaces how those nodes of a
 * checked tree handle string operands; other operands go to the library as before. So do
 * `split('')`, which split an emoji into two halves, and `matches()`, whose `.` took half of one.
 * @module
 */
import { byCodePoints } from '../string-order.js';
import { isHigh, isLow } from '../surrogates.js';
import { forEachNode, type HandledNode, type MethodHandle } from './cel-ast.js';

/** How the library handles a binary operator: both operands, evaluated. */
type BinaryHandle = (left: unknown, right: unknown, node: unknown, ev: unknown) => unknown;

/** Whether `unit` (a UTF-16 index of `text`) falls between two characters, not inside a pair. */
function isBoundary(text: string, unit: number): boolean {
  return !(
    unit > 0 &&
    unit < text.length &&
    isHigh(text.charCodeAt(unit - 1)) &&
    isLow(text.charCodeAt(unit))
  );
}

/** The number of code points in `text` before the UTF-16 index `unit` (a boundary). */
function codePointIndex(text: string, unit: number): number {
  let points = 0;
  for (let i = 0; i < unit; i++) if (isBoundary(text, i + 1)) points++;
  return points;
}

/** The UTF-16 index of the code point `point` of `text`, or -1 past its end. */
function unitIndex(text: string, point: number): number {
  let unit = 0;
  for (let seen = 0; seen < point; seen++) {
    if (unit >= text.length) return -1;
    unit += isHigh(text.charCodeAt(unit)) && isLow(text.charCodeAt(unit + 1)) ? 2 : 1;
  }
  return unit;
}

function sizeOf(text: string): number {
  return codePointIndex(text, text.length);
}

function outOfRange(what: string): Error {
  return new Error(`${what} out of range`);
}

function substring(text: string, start: bigint, end?: bigint): string {
  const size = BigInt(sizeOf(text));
  if (start < 0n || start > size) throw outOfRange('string.substring(start, end): start index');
  if (end === undefined) return text.slice(unitIndex(text, Number(start)));
  if (end < start || end > size) throw outOfRange('string.substring(start, end): end index');
  return text.slice(unitIndex(text, Number(start)), unitIndex(text, Number(end)));
}

/** The first match of `search` in `text` from UTF-16 index `from` that splits no pair, or -1. */
function findForward(text: string, search: string, from: number): number {
  for (let at = text.indexOf(search, from); at !== -1; at = text.indexOf(search, at + 1)) {
    if (isBoundary(text, at) && isBoundary(text, at + search.length)) return at;
  }
  return -1;
}

/** The last match of `search` in `text` at or before UTF-16 index `from` that splits no pair, or -1. */
function findBackward(text: string, search: string, from: number): number {
  for (
    let at = text.lastIndexOf(search, from);
    at !== -1;
    at = at === 0 ? -1 : text.lastIndexOf(search, at - 1)
  ) {
    if (isBoundary(text, at) && isBoundary(text, at + search.length)) return at;
  }
  return -1;
}

/** `from`, a code-point offset, as a UTF-16 index of `text`; refused outside the text, as the library does. */
function offset(name: string, text: string, from: bigint): number {
  if (from < 0n || from >= BigInt(sizeOf(text)))
    throw outOfRange(`string.${name}(search, fromIndex): fromIndex`);
  return unitIndex(text, Number(from));
}

function indexOf(text: string, search: string, from?: bigint): bigint {
  if (search === '' && from !== undefined) return from;
  const start = from === undefined ? 0 : offset('indexOf', text, from);
  const at = findForward(text, search, start);
  return BigInt(at === -1 ? -1 : codePointIndex(text, at));
}

function lastIndexOf(text: string, search: string, from?: bigint): bigint {
  if (search === '' && from !== undefined) return from;
  const start = from === undefined ? text.length : offset('lastIndexOf', text, from);
  const at = findBackward(text, search, start);
  return BigInt(at === -1 ? -1 : codePointIndex(text, at));
}

/** White space as CEL's `trim` takes it (Unicode's White_Space), which JavaScript's `trim` does not. */
const SPACE = '[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]+';
const EDGE_SPACE = new RegExp(`^${SPACE}|${SPACE}$`, 'g');

/** `text.split(separator, limit)` as the library splits, but `''` splits into code points, not units. */
function split(text: string, separator: string, limit?: bigint): string[] {
  const parts = separator === '' ? Array.from(text) : text.split(separator);
  if (limit === undefined || limit < 0n || BigInt(parts.length) <= limit) return parts;
  if (limit === 0n) return [];
  const head = parts.slice(0, Number(limit) - 1);
  head.push(parts.slice(Number(limit) - 1).join(separator));
  return head;
}

/** Compiled `matches()` patterns (literals: as many as the definitions have), by source. */
const PATTERNS = new Map<string, RegExp>();
const MAX_PATTERNS = 10_000;

/**
 * `pattern` compiled with the `u` flag, so that `.` and `[^…]` take a whole character (`'😀'`
 * matches `'^.$'`, as in RE2); a pattern only the flagless syntax reads (`'\-'`, `'{'`) as before.
 */
function compiled(pattern: string): RegExp {
  let regexp = PATTERNS.get(pattern);
  if (regexp === undefined) {
    try {
      regexp = new RegExp(pattern, 'u');
    } catch {
      regexp = new RegExp(pattern);
    }
    if (PATTERNS.size >= MAX_PATTERNS) PATTERNS.clear();
    PATTERNS.set(pattern, regexp);
  }
  return regexp;
}

/** The string methods handled here: the result, or undefined to leave the call to the library. */
const METHODS: Record<string, (text: string, args: unknown[]) => unknown> = {
  substring: (text, [start, end]) =>
    typeof start === 'bigint' && (end === undefined || typeof end === 'bigint')
      ? substring(text, start, end)
      : undefined,
  indexOf: (text, [search, from]) =>
    typeof search === 'string' && (from === undefined || typeof from === 'bigint')
      ? indexOf(text, search, from)
      : undefined,
  lastIndexOf: (text, [search, from]) =>
    typeof search === 'string' && (from === undefined || typeof from === 'bigint')
      ? lastIndexOf(text, search, from)
      : undefined,
  lowerAscii: (text, args) =>
    args.length === 0 ? text.replace(/[A-Z]+/g, (s) => s.toLowerCase()) : undefined,
  upperAscii: (text, args) =>
    args.length === 0 ? text.replace(/[a-z]+/g, (s) => s.toUpperCase()) : undefined,
  trim: (text, args) => (args.length === 0 ? text.replace(EDGE_SPACE, '') : undefined),
  split: (text, [separator, limit]) =>
    typeof separator === 'string' && (limit === undefined || typeof limit === 'bigint')
      ? split(text, separator, limit)
      : undefined,
  matches: (text, args) =>
    args.length === 1 && typeof args[0] === 'string' ? compiled(args[0]).test(text) : undefined,
};

const ORDER: Record<string, (order: number) => boolean> = {
  '<': (order) => order < 0,
  '<=': (order) => order <= 0,
  '>': (order) => order > 0,
  '>=': (order) => order >= 0,
};

function guardNode(node: HandledNode<(...values: never[]) => unknown>): void {
  const library = node.handle;
  if (typeof library !== 'function') return;
  const compare = ORDER[node.op];
  if (compare !== undefined) {
    const handle: BinaryHandle = (left, right, self, ev) =>
      typeof left === 'string' && typeof right === 'string'
        ? compare(byCodePoints(left, right))
        : (library as BinaryHandle)(left, right, self, ev);
    node.handle = handle;
    return;
  }
  const name = node.op === 'rcall' && Array.isArray(node.args) ? node.args[0] : undefined;
  const method = typeof name === 'string' && Object.hasOwn(METHODS, name) ? METHODS[name] : undefined;
  if (method === undefined) return;
  const own = (values: unknown[]): unknown => {
    const [text, ...args] = values;
    return typeof text === 'string' ? method(text, args) : undefined;
  };
  const handle: MethodHandle = (values, ev, self) =>
    own(values) ?? (library as MethodHandle)(values, ev, self);
  node.handle = handle;
}

/** Makes the string calls and comparisons of `ast` (a checked expression) count and order by code point. */
export function guardStrings(ast: unknown): void {
  forEachNode(ast, guardNode);
}

/**
 * Why the API refuses a request body its JSON parser rejected: what is wrong and where (line and
 * column), or the prototype-poisoning key it holds and where. The framework's parser raises one error for
 * both and keeps no cause, so the body is parsed again here, only once it was refused. Nothing of
 * the body is repeated but a single unexpected character (the engine's own message quotes the
 * text around it).
 * @module
 */
import { echo } from '../echo.js';

/** The refusal of a request body (`text`, decoded) that the framework's JSON parser refused. */
export function jsonBodyRefusal(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return `Request body is not valid JSON: ${syntaxProblem(text, error instanceof Error ? error.message : '')}`;
  }
  const found = poisoningKey(JSON.parse(text) as unknown);
  const where = found ? `${echo(found.path, null)}: has the key ${echo(found.key)}` : 'body: has a key';
  return `Invalid request: ${where} (refused: it could alter objects the body is copied into)`;
}

/**
 * The first key, in document order, that the framework's parser refuses: a `__proto__` key, or a
 * `prototype` key of an object held by a `constructor` key (`JSON.parse` keeps both as own keys).
 * Walked with a stack of its own: a body of deeply nested arrays must not overflow the call stack.
 */
function poisoningKey(value: unknown): { path: string; key: string } | null {
  const pending: [unknown, string][] = [[value, 'body']];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [item, path] = next;
    if (item === null || typeof item !== 'object') continue;
    if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) pending.push([item[i], `${path}[${i}]`]);
      continue;
    }
    if (Object.hasOwn(item, '__proto__')) return { path, key: '__proto__' };
    const ctor = Object.hasOwn(item, 'constructor') ? (item as { constructor: unknown }).constructor : null;
    if (ctor !== null && typeof ctor === 'object' && Object.hasOwn(ctor, 'prototype')) {
      return { path: `${path}.constructor`, key: 'prototype' };
    }
    const entries = Object.entries(item);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      pending.push([child, `${path}.${key}`]);
    }
  }
  return null;
}

/** `JSON.parse`'s message reworded: where in `text`, without the excerpt the engine may quote. */
function syntaxProblem(text: string, message: string): string {
  const at = /^(.+?) in JSON at position (\d+)/.exec(message);
  if (at) {
    const position = Number(at[2]);
    const problem = `${at[1]!.charAt(0).toLowerCase()}${at[1]!.slice(1)}`;
    const end = position >= text.length ? ' (where the body ends)' : '';
    return `${problem} at ${lineAndColumn(text, position)}${end}`;
  }
  if (/^Unexpected end of JSON input/.test(message)) return 'it ends before its value is complete';
  const token = /^Unexpected token '(.)'/u.exec(message);
  if (!token) return 'it cannot be read as JSON';
  // Quoted as JSON: a quote, a control character or half of a surrogate pair shows escaped.
  const what = `unexpected character ${JSON.stringify(token[1])}`;
  const index = unexpectedIndex(text, message);
  return index === undefined ? what : `${what} at ${lineAndColumn(text, index)}`;
}

/** Characters the engine quotes on each side of an unexpected one (`..."1,1,1,1,1,x]"`). */
const EXCERPT_CONTEXT = 10;
/** Places of that excerpt in the body tried, each with two parses, before giving up. */
const EXCERPT_TRIES = 4;
/** Longest body searched with a parse per halving (about 17 parses) when the excerpt does not tell. */
const SEARCH_MAX_LENGTH = 64 * 1024;

/**
 * The index of the character JSON.parse stopped at, whose message ("Unexpected token 'x', …")
 * gives no position, only an excerpt around it: the excerpt's place in the body, checked (the
 * body reads up to there, and not one character further), in a few parses whatever the body's
 * size. When the excerpt does not tell (the whole of a short body, or it occurs too often), a
 * binary search of the longest readable start finds it in a short body, and none is given for a
 * long one rather than parse it again and again.
 */
function unexpectedIndex(text: string, message: string): number | undefined {
  const excerpt = /^Unexpected token '.', (\.\.\.)?"([\s\S]*)"(\.\.\.)? is not valid JSON$/u.exec(message);
  const candidates: number[] = [];
  if (excerpt?.[1] && excerpt[2]) {
    const shown = excerpt[2];
    for (
      let i = text.indexOf(shown);
      i >= 0 && candidates.length < EXCERPT_TRIES;
      i = text.indexOf(shown, i + 1)
    )
      candidates.push(i + EXCERPT_CONTEXT);
  } else if (excerpt?.[3] && excerpt[2]) {
    candidates.push(excerpt[2].length - EXCERPT_CONTEXT);
  }
  const found = candidates.find((index) => isUnexpectedAt(text, index));
  if (found !== undefined) return found;
  return text.length <= SEARCH_MAX_LENGTH ? readableLength(text) : undefined;
}

/** Whether `text` reads up to `index` and not one character further. */
function isUnexpectedAt(text: string, index: number): boolean {
  return (
    index >= 0 &&
    index < text.length &&
    isReadableStart(text.slice(0, index)) &&
    !isReadableStart(text.slice(0, index + 1))
  );
}

/**
 * The length of the longest start of `text` that JSON.parse reads without meeting a character it
 * cannot take, which is the index of that character. A start is readable when it parses, or fails
 * only for ending where it ends; once one is not, no longer one is, so a binary search finds it in
 * about log2(length) parses.
 */
function readableLength(text: string): number {
  let readable = 0;
  let unreadable = text.length;
  while (unreadable - readable > 1) {
    const middle = Math.floor((readable + unreadable) / 2);
    if (isReadableStart(text.slice(0, middle))) readable = middle;
    else unreadable = middle;
  }
  return readable;
}

function isReadableStart(start: string): boolean {
  try {
    JSON.parse(start);
    return true;
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    if (/^Unexpected end of JSON input/.test(message)) return true;
    const at = / in JSON at position (\d+)/.exec(message);
    return at !== null && Number(at[1]) >= start.length;
  }
}

/** `line L, column C` (from 1) of the character at `position` of `text`. */
function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - (before.lastIndexOf('\n') + 1) + 1;
  return `line ${line}, column ${column}`;
}

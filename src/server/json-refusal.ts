/**
 * Why the API refuses a request body its JSON parser rejected: what is wrong and where (line and
 * column), or the prototype-poisoning key it holds and where. The framework's parser raises one error for
 * both and keeps no cause, so the body is parsed again here, only once it was refused. Nothing of
 * the body is repeated but a single unexpected character (the engine's own message quotes the
 * text around it).
 * @module
 */
import { echo } from '../echo.js';
import { jsonErrorOffset } from './json-error-offset.js';

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

/**
 * What is wrong with `text` as JSON and where (`unexpected character "x" at line 1, column 14`),
 * or null when it is JSON; `whole` names the text where it ends too soon (`where the file ends`).
 * For the CLI's definition files and `--input`, read as the API reads a body.
 */
export function jsonSyntaxProblem(text: string, whole: string): string | null {
  try {
    JSON.parse(text);
    return null;
  } catch (error) {
    return syntaxProblem(text, error instanceof Error ? error.message : '', whole);
  }
}

/**
 * `JSON.parse`'s message reworded: what is wrong, and where in `text` (the engine's message may
 * quote an excerpt of the body, and gives no position for an unexpected character).
 */
function syntaxProblem(text: string, message: string, whole = 'body'): string {
  const at = /^(.+?) in JSON at position (\d+)/.exec(message);
  if (at) {
    const position = Number(at[2]);
    const problem = `${at[1]!.charAt(0).toLowerCase()}${at[1]!.slice(1)}`;
    const end = position >= text.length ? ` (where the ${whole} ends)` : '';
    return `${problem} at ${lineAndColumn(text, position)}${end}`;
  }
  const offset = jsonErrorOffset(text);
  if (offset < 0) return 'it cannot be read as JSON';
  if (offset >= text.length) return 'it ends before its value is complete';
  // Quoted as JSON: a quote or a control character shows escaped, and so does one that shows as
  // nothing (a second byte-order mark) or joins the quote before it (a combining mark).
  const character = String.fromCodePoint(text.codePointAt(offset)!);
  return `unexpected character ${quoted(character)} at ${lineAndColumn(text, offset)}`;
}

/**
 * Characters that show as nothing, as blank or combine with the character before: format ones
 * (U+FEFF, U+200B, U+00AD), separators but the space, combining marks, private-use, unassigned.
 */
const INVISIBLE = /[\p{Cf}\p{Z}\p{M}\p{Co}\p{Cn}]/u;

/** `character` as JSON quotes it, escaped (`"\ufeff"`, in UTF-16 units) when it is invisible. */
function quoted(character: string): string {
  if (character === ' ' || !INVISIBLE.test(character)) return JSON.stringify(character);
  const units = Array.from({ length: character.length }, (_, i) => character.charCodeAt(i));
  return `"${units.map((unit) => `\\u${unit.toString(16).padStart(4, '0')}`).join('')}"`;
}

/** `line L, column C` (from 1) of the character at `position` of `text`. */
function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - (before.lastIndexOf('\n') + 1) + 1;
  return `line ${line}, column ${column}`;
}

/**
 * What is wrong with a text as JSON and where (line and column), in words: for a request body the
 * API refused (`server/json-refusal.ts`) and for the CLI's definition files and `--input`. Nothing
 * of the text is repeated but a single unexpected character (the engine's own message quotes the
 * text around it).
 * @module
 */
import { jsonErrorOffset } from './json-error-offset.js';
import { textPlace } from './text-place.js';

/** Nothing but the whitespace JSON allows between tokens. */
const JSON_WHITESPACE = /^[ \t\n\r]+$/;

/**
 * What is wrong with `text` as JSON and where (`unexpected character "x" at line 1, column 14`),
 * or null when it is JSON; `whole` names the text where it ends too soon (`where the file ends`).
 */
export function jsonSyntaxProblem(text: string, whole: string): string | null {
  try {
    JSON.parse(text);
    return null;
  } catch (error) {
    // Nothing to read: "ends before its value is complete" would suggest a value cut short.
    if (text === '') return 'it is empty';
    if (JSON_WHITESPACE.test(text)) return 'it holds only whitespace, no value';
    return syntaxProblem(text, error instanceof Error ? error.message : '', whole);
  }
}

/**
 * `JSON.parse`'s message reworded: what is wrong, and where in `text` (the engine's message may
 * quote an excerpt of the body, and gives no position for an unexpected character).
 */
function syntaxProblem(text: string, message: string, whole: string): string {
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

/** `line L, column C` (from 1) of the character at `position` of `text`, as an editor counts them. */
function lineAndColumn(text: string, position: number): string {
  const { line, column } = textPlace(text, position);
  return `line ${line}, column ${column}`;
}

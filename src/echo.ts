/**
 * How an error message repeats a value the caller gave (an id, a key, a name): whole when short,
 * else its first {@link ECHO_LIMIT} characters, `…` and its length. Ids looked up, keys of an
 * options object and values refused are of any length; repeated whole (sometimes twice) a 10 KB
 * id made a 10 KB message in every log line and HTTP answer that carried it. The whole value stays
 * in the error's structured fields, where it has any (`workflowId`, `executionId`, `issues`).
 * @module
 */
import { textPrefix } from './text-prefix.js';

/** The most characters of a value a message repeats. */
export const ECHO_LIMIT = 64;

/**
 * `text` quoted for a message (`'abc'`), or, when longer than {@link ECHO_LIMIT}, its beginning
 * quoted, then `…` and its length: `'abc…' (10000 characters)`. `quote` quotes differently
 * (`JSON.stringify` for a "got …" message); `null` leaves it unquoted (a path).
 */
export function echo(text: string, quote: ((part: string) => string) | null = singleQuoted): string {
  const q = quote ?? escapeControls;
  if (text.length <= ECHO_LIMIT) return q(text);
  return `${q(`${textPrefix(text, ECHO_LIMIT)}…`)} (${text.length} characters)`;
}

/** C0 and C1 controls, DEL, and the line and paragraph separators: what breaks a line or a terminal. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * `part` with its control characters shown as `\uXXXX`: repeated as they are, a newline in an id
 * forged a second line in every log that printed the message, and an escape sequence reached the
 * terminal.
 */
export function escapeControls(part: string): string {
  return part.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function singleQuoted(part: string): string {
  return `'${escapeControls(part)}'`;
}

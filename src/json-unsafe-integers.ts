/**
 * Finds an integer in JSON text that a JavaScript number cannot hold exactly (past 2^53:
 * `12345678901234567890`). `JSON.parse` rounds it without a word (to 12345678901234567000), so
 * the value stored would not be the one sent; the API and the CLI refuse such text, naming where,
 * as the engine refuses such an integer an expression gives.
 * @module
 */
import { echo } from './echo.js';
import { jsonPath, scanJson } from './json-scan.js';

/** Where an unsafe integer sits (`body.input.ids[2]`) and its text. */
export interface UnsafeInteger {
  path: string;
  literal: string;
}

/** Longest literal a message repeats whole (a body of a megabyte of digits is not echoed back). */
const SHOWN_DIGITS = 40;

/**
 * What is wrong with `found`, for a message that already names where: `12345678901234567890, an
 * integer a JSON number cannot hold exactly (it would be 12345678901234567000): send it as a string`.
 */
export function unsafeIntegerText(found: UnsafeInteger): string {
  const { literal } = found;
  const shown =
    literal.length <= SHOWN_DIGITS
      ? literal
      : `${literal.slice(0, SHOWN_DIGITS)}… (${literal.length} characters)`;
  return `${shown}, an integer a JSON number cannot hold exactly (it would be ${String(Number(literal))}): send it as a string`;
}

/** A run of 16 digits: every integer past 2^53 (9007199254740992) has one; most texts have none. */
const LONG_DIGITS = /\d{16}/;

/**
 * The first integer literal of `text` (no fraction or exponent) that is not a safe integer, or
 * null. `text` must be valid JSON (parse it first). Numbers with a fraction or an exponent are
 * floating point as written, and left alone.
 */
export function findUnsafeInteger(text: string, root: string): UnsafeInteger | null {
  if (!LONG_DIGITS.test(text)) return null;
  let found: UnsafeInteger | null = null;
  scanJson(text, {
    number(stack, literal) {
      if (!/^-?\d+$/.test(literal) || Number.isSafeInteger(Number(literal))) return false;
      found = { path: jsonPath(stack, root), literal };
      return true;
    },
  });
  return found;
}

/**
 * What is wrong with JSON text (valid JSON) holding an integer past 2^53, for a message that
 * already names the text: `ids[2] is 12345678901234567890, an integer a JSON number cannot hold
 * exactly (it would be 12345678901234567000): send it as a string`; null when it holds none.
 */
export function unsafeIntegerProblem(text: string, root = ''): string | null {
  const found = findUnsafeInteger(text, root);
  if (!found) return null;
  const where = echo(found.path.replace(/^\./, ''), null);
  return `${where === '' ? '' : `${where} is `}${unsafeIntegerText(found)}`;
}

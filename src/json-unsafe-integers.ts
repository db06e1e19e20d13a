/**
 * Finds an integer in JSON text that a JavaScript number cannot hold exactly (past 2^53:
 * `12345678901234567890`). `JSON.parse` rounds it without a word (to 12345678901234567000), so
 * the value stored would not be the one sent; the API and the CLI refuse such text, naming where,
 * as the engine refuses such an integer an expression gives.
 * @module
 */
import { echo } from './echo.js';
import { stringEnd } from './json-duplicate-keys.js';

/** An object or array being scanned: the last key read (objects) or the current item's index. */
interface Frame {
  object: boolean;
  at: string | number;
}

/** Where an unsafe integer sits (`body.input.ids[2]`) and its text. */
export interface UnsafeInteger {
  path: string;
  literal: string;
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
  const stack: Frame[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const end = stringEnd(text, i);
      const top = stack[stack.length - 1];
      if (expectKey && top?.object) {
        const raw = text.slice(i + 1, end);
        top.at = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        expectKey = false;
      }
      i = end;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      stack.push({ object: c === 0x7b, at: c === 0x7b ? '' : 0 });
      expectKey = c === 0x7b;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.object) expectKey = true;
      else if (top) top.at = (top.at as number) + 1;
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      let end = i + 1;
      while (end < text.length && /[0-9.eE+-]/.test(text[end] as string)) end++;
      const literal = text.slice(i, end);
      if (/^-?\d+$/.test(literal) && !Number.isSafeInteger(Number(literal))) {
        return { path: pathOf(stack, root), literal };
      }
      i = end - 1;
    }
  }
  return null;
}

/** The path of the value being read: `root`, then `.key` or `[index]` for each level. */
function pathOf(stack: readonly Frame[], root: string): string {
  let path = root;
  for (const { at } of stack) path += typeof at === 'number' ? `[${at}]` : `.${at}`;
  return path;
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
  const rounded = String(Number(found.literal));
  return `${where === '' ? '' : `${where} is `}${found.literal}, an integer a JSON number cannot hold exactly (it would be ${rounded}): send it as a string`;
}

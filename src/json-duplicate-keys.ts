/**
 * Finds an object key given twice in JSON text. `JSON.parse` keeps the last value of such a key
 * and drops the others without a word (`{"input": {...}, "input": {...}}`), so the value the
 * sender meant may not be the one used; the API and the CLI refuse such text, naming where.
 * @module
 */

import { echo } from './echo.js';

/** An object or array being scanned: the keys seen (objects), and where the scan is in it. */
interface Frame {
  keys: Set<string> | null;
  /** The last key read (objects) or the index of the current item (arrays). */
  at: string | number;
}

/** Where a duplicate sits: the path of the object holding it (`input.items[2]`) and the key. */
export interface DuplicateKey {
  path: string;
  key: string;
}

/**
 * The first key that an object of `text` holds twice, or null. `text` must be valid JSON (parse it
 * first): the scan only tracks strings, brackets, colons and commas. Keys are compared as
 * `JSON.parse` reads them (`"a"` and `"\u0061"` are the same key).
 */
export function findDuplicateKey(text: string, root: string): DuplicateKey | null {
  if (!text.includes('{')) return null;
  const stack: Frame[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const end = stringEnd(text, i);
      const top = stack[stack.length - 1];
      if (expectKey && top?.keys) {
        const raw = text.slice(i + 1, end);
        const key = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        if (top.keys.has(key)) return { path: pathOf(stack, root), key };
        top.keys.add(key);
        top.at = key;
        expectKey = false;
      }
      i = end;
    } else if (c === 0x7b /* { */) {
      stack.push({ keys: new Set(), at: '' });
      expectKey = true;
    } else if (c === 0x5b /* [ */) {
      stack.push({ keys: null, at: 0 });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.keys) expectKey = true;
      else if (top) top.at = (top.at as number) + 1;
    }
  }
  return null;
}

/** The index of the quote that closes the string opening at `start`. */
export function stringEnd(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote < 0) return text.length;
    let backslashes = 0;
    for (let j = quote - 1; text.charCodeAt(j) === 0x5c; j--) backslashes++;
    if (backslashes % 2 === 0) return quote;
    i = quote + 1;
  }
}

/** The path of the innermost object: `root`, then `.key` or `[index]` for each enclosing level. */
function pathOf(stack: Frame[], root: string): string {
  let path = root;
  // Every frame but the last (the object holding the duplicate) is reached through its `at`.
  for (let depth = 0; depth < stack.length - 1; depth++) {
    const at = (stack[depth] as Frame).at;
    path += typeof at === 'number' ? `[${at}]` : `.${at}`;
  }
  return path;
}

/**
 * What is wrong with JSON text (valid JSON) that has a key twice, for a message that already names
 * the text: `steps[0] has the key 'timeout' twice (give each key once)`; null when it has none.
 */
export function duplicateKeyProblem(text: string): string | null {
  const found = findDuplicateKey(text, '');
  if (!found) return null;
  const where = found.path.replace(/^\./, '');
  return `${where === '' ? '' : `${echo(where, null)} `}has the key ${echo(found.key)} twice (give each key once)`;
}

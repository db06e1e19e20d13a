/**
 * Finds an object key given twice in JSON text. `JSON.parse` keeps the last value of such a key
 * and drops the others without a word (`{"input": {...}, "input": {...}}`), so the value the
 * sender meant may not be the one used; the API and the CLI refuse such text, naming where.
 * @module
 */

import { echo } from './echo.js';
import { type JsonFrame, jsonPath, scanJson } from './json-scan.js';

/** Where a duplicate sits: the path of the object holding it (`input.items[2]`) and the key. */
export interface DuplicateKey {
  path: string;
  key: string;
}

/**
 * The first key that an object of `text` holds twice, or null. `text` must be valid JSON (parse it
 * first). Keys are compared as `JSON.parse` reads them (`"a"` and `"\u0061"` are the same key).
 */
export function findDuplicateKey(text: string, root: string): DuplicateKey | null {
  if (!text.includes('{')) return null;
  const seen = new WeakMap<JsonFrame, Set<string>>();
  let found: DuplicateKey | null = null;
  scanJson(text, {
    key(stack, key) {
      const object = stack[stack.length - 1] as JsonFrame;
      const keys = seen.get(object) ?? new Set<string>();
      seen.set(object, keys);
      if (keys.has(key)) {
        // The path of the object holding it: every frame but its own.
        found = { path: jsonPath(stack.slice(0, -1), root), key };
        return true;
      }
      keys.add(key);
      return false;
    },
  });
  return found;
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

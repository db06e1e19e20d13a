/**
 * A list read by an index it does not take, or past its end, fails naming what is wrong with the
 * index: the library's refusal read `No such key: 1` for `items[1u]` (a uint, which a list is not
 * indexed by: the type check refuses one on a list it knows) and for `items['1']`, and `index out
 * of bounds, index 1.5 >= size 3` for `items[1.5]`.
 * @module
 */
import { evaluateAgain, forEachNode, isNode, wrapEvaluation } from './cel-ast.js';

/** The library's uint: an object holding a bigint `value`. */
function uintValue(key: unknown): bigint | null {
  if (key === null || typeof key !== 'object') return null;
  const value = (key as { value?: unknown }).value;
  return typeof value === 'bigint' && key.constructor?.name === 'UnsignedInt' ? value : null;
}

/** Whether `key` is a whole number from 0 to `size` − 1 (an int, or a double with no fraction). */
function isItemIndex(key: unknown, size: number): boolean {
  const n = typeof key === 'bigint' ? Number(key) : key;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n < size;
}

/** What is wrong with `key` as an index of a list of `size` items. */
function indexProblem(key: unknown, size: number): string {
  const uint = uintValue(key);
  // As the type check refuses one on a list it knows (`List index must be int`).
  if (uint !== null) return `a list is indexed by an int, got the uint ${uint}u`;
  if (typeof key === 'string') return `a list is indexed by an int, got the string ${JSON.stringify(key)}`;
  if (typeof key === 'number' && !Number.isInteger(key))
    return `a list is indexed by a whole number, got ${key}`;
  if (typeof key === 'number' || typeof key === 'bigint') {
    const items = `a list of ${size} item${size === 1 ? '' : 's'}`;
    return Number(key) < 0 ? `index ${key} is below 0` : `index ${key} is past the end of ${items}`;
  }
  if (typeof key === 'boolean' || key === null) return `a list is indexed by an int, got ${String(key)}`;
  return 'a list is indexed by an int';
}

/** Makes every `[]` of `ast` (parsed, not yet evaluated) that fails on a list say why. */
export function guardListIndex(ast: unknown): void {
  forEachNode(ast, (node) => {
    if (node.op !== '[]' || !Array.isArray(node.args)) return;
    const [target, index] = node.args as unknown[];
    if (!isNode(target)) return;
    wrapEvaluation(
      node,
      (evaluate) =>
        function listIndex(this: unknown, ev: unknown, self: unknown, ctx: unknown) {
          try {
            return evaluate.call(this, ev, self, ctx);
          } catch (error) {
            // Only a failure reads the operands again, to say why: a list's, alone.
            const list = evaluateAgain(target, ev, ctx);
            if (!Array.isArray(list)) throw error;
            const key = evaluateAgain(index, ev, ctx);
            // An index that names an item: the failure is another one, told as it was.
            if (isItemIndex(key, list.length)) throw error;
            throw new Error(indexProblem(key, list.length));
          }
        },
    );
  });
}

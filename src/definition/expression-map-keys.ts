/**
 * Map literals whose key the expression library drops: it builds a literal map as a plain object
 * and skips the keys `__proto__`, `constructor` and `prototype` (so that none can reach an
 * object's prototype), so `{'constructor': result.team}` evaluated to `{}` without a word. A new
 * definition with such a literal is refused (a version stored before still runs as it did, so its
 * executions are not stranded). Data keeps these keys: expressions read them, and return them,
 * as any other.
 * @module
 */
import { isNode } from './cel-ast.js';

/** The keys the library leaves out of a map it builds. */
const DROPPED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** The first literal key of a map literal in `ast` that the library would drop, as a problem; or null. */
export function findDroppedKeyProblem(ast: unknown): string | null {
  if (Array.isArray(ast)) {
    for (const item of ast) {
      const problem = findDroppedKeyProblem(item);
      if (problem !== null) return problem;
    }
    return null;
  }
  if (!isNode(ast)) return null;
  if (ast.op === 'map' && Array.isArray(ast.args)) {
    for (const entry of ast.args) {
      const key: unknown = Array.isArray(entry) ? entry[0] : undefined;
      if (isNode(key) && key.op === 'value' && typeof key.args === 'string' && DROPPED_KEYS.has(key.args)) {
        return `a map literal cannot have the key '${key.args}' (the expression library leaves it out); return such an object from a step`;
      }
    }
  }
  return findDroppedKeyProblem(ast.args);
}

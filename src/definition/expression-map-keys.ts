/**
 * Map literals whose keys the result would not keep: the expression library builds a literal map
 * as a plain object and skips the keys `__proto__`, `constructor` and `prototype` (so that none
 * can reach an object's prototype), so `{'constructor': result.team}` evaluated to `{}` without a
 * word; and it keeps the last value of a key given twice (`{'a': 1, 'a': 2}`, an error in CEL), as
 * JSON keeps one of keys it writes alike (`1` and `'1'`). A new definition with such a literal is
 * refused (a version stored before still runs as it did, so its executions are not stranded).
 * Data keeps these keys: expressions read them, and return them, as any other.
 * @module
 */
import { echo } from '../echo.js';
import { type CelNode, firstNodeProblem, isNode } from './cel-ast.js';

/** The keys the library leaves out of a map it builds. */
const DROPPED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** The first literal key of a map literal in `ast` that the library would drop, as a problem; or null. */
export function findDroppedKeyProblem(ast: unknown): string | null {
  return firstNodeProblem(ast, droppedKeyProblem);
}

/** The problem of a map literal at `node` with a key the library would drop, or null. */
function droppedKeyProblem(node: CelNode): string | null {
  if (node.op === 'map' && Array.isArray(node.args)) {
    for (const entry of node.args) {
      const key: unknown = Array.isArray(entry) ? entry[0] : undefined;
      if (isNode(key) && key.op === 'value' && typeof key.args === 'string' && DROPPED_KEYS.has(key.args)) {
        return `a map literal cannot have the key '${key.args}' (the expression library leaves it out); return such an object from a step`;
      }
    }
  }
  return null;
}

/** A literal key as the JSON key it becomes (`1`, `1u`, `1.0` and `'1'` all `1`), or null when computed. */
function literalKey(key: unknown): string | null {
  if (!isNode(key) || key.op !== 'value') return null;
  const value = key.args;
  const type = typeof value;
  if (type === 'string' || type === 'number' || type === 'bigint' || type === 'boolean') return String(value);
  // A uint literal is an object of the library's around a BigInt.
  if (value !== null && typeof value === 'object') return String(value.valueOf());
  return null;
}

/** The first map literal in `ast` that gives one JSON key twice, as a problem; or null. */
export function findRepeatedKeyProblem(ast: unknown): string | null {
  return firstNodeProblem(ast, repeatedKeyProblem);
}

/** The problem of a map literal at `node` that gives one JSON key twice, or null. */
function repeatedKeyProblem(node: CelNode): string | null {
  if (node.op === 'map' && Array.isArray(node.args)) {
    const seen = new Set<string>();
    for (const entry of node.args as unknown[]) {
      const key = literalKey(Array.isArray(entry) ? (entry[0] as CelNode) : undefined);
      if (key === null) continue;
      if (seen.has(key))
        return `a map literal has the key ${echo(key)} twice (a map keeps one value per key)`;
      seen.add(key);
    }
  }
  return null;
}

/**
 * The first map literal in `ast` with a literal key of a type CEL's map keys cannot have (int,
 * uint, bool and string only): `{1.5: 'a'}`, `{null: 1}`, `{[1]: 'a'}` were built with the key's
 * text (`"1.5"`, `"null"`, `"1"`); or null.
 */
export function findKeyTypeProblem(ast: unknown): string | null {
  return firstNodeProblem(ast, keyTypeProblem);
}

function keyTypeProblem(node: CelNode): string | null {
  if (node.op !== 'map' || !Array.isArray(node.args)) return null;
  for (const entry of node.args as unknown[]) {
    const key: unknown = Array.isArray(entry) ? entry[0] : undefined;
    if (!isNode(key)) continue;
    const kind =
      key.op === 'list'
        ? 'a list'
        : key.op === 'map'
          ? 'a map'
          : key.op !== 'value'
            ? null
            : key.args === null
              ? 'null'
              : typeof key.args === 'number'
                ? `the double ${key.args}`
                : null;
    if (kind !== null) {
      return `a map literal's key cannot be ${kind} (a key is an int, a uint, a bool or a string, as in CEL)`;
    }
  }
  return null;
}

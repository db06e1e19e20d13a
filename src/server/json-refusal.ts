/**
 * Why the API refuses a request body its JSON parser rejected: what is wrong and where (line and
 * column), or the prototype-poisoning key it holds and where. The framework's parser raises one error for
 * both and keeps no cause, so the body is parsed again here, only once it was refused. Nothing of
 * the body is repeated but a single unexpected character (the engine's own message quotes the
 * text around it).
 * @module
 */
import { echo } from '../echo.js';
import { jsonSyntaxProblem } from '../json-syntax-problem.js';

/** The refusal of a request body (`text`, decoded) that the framework's JSON parser refused. */
export function jsonBodyRefusal(text: string): string {
  const problem = jsonSyntaxProblem(text, 'body');
  if (problem !== null) return `Request body is not valid JSON: ${problem}`;
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

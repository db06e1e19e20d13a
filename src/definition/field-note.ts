/**
 * A note for an expression that failed reading a field of null or of a value that is not a map:
 * the library reports `result.text` on a null `result` (a first step has no previous step) as
 * "No such key: text", as if a map lacked the key. When the value read from is a plain path of
 * the scope (`result`, `input.user.id`), the note says what it is: `(result is null: …)`,
 * `(input.user.id is a number, not a map)`; a map that lacks the key, which keys it has:
 * `(the keys of input: 'audioUrl', 'userId')`.
 * @module
 */
import { echo } from '../echo.js';
import { COMPREHENSIONS, isNode } from './cel-ast.js';
import type { ExpressionScope } from './types.js';

const SCOPE_NAMES: ReadonlySet<string> = new Set(['result', 'input', 'steps']);

/**
 * Whether the expression binds a variable named like one of the scope's (`[{}].map(result, …)`,
 * `cel.bind(input, …)`): a path there may not read the scope, so no note is given.
 */
export function shadowsScope(ast: unknown): boolean {
  const visit = (value: unknown): boolean => {
    if (Array.isArray(value)) return value.some(visit);
    if (!isNode(value)) return false;
    if (value.op === 'rcall') {
      const [name, , callArgs] = value.args as [unknown, unknown, unknown];
      const variable = Array.isArray(callArgs) && isNode(callArgs[0]) ? callArgs[0] : null;
      const binds = name === 'bind' || (typeof name === 'string' && COMPREHENSIONS.has(name));
      if (binds && variable?.op === 'id' && SCOPE_NAMES.has(variable.args as string)) return true;
    }
    return visit(value.args);
  };
  return visit(ast);
}

/** `result`, `input.user.id`: the names of a path of field reads from a scope variable, or null. */
function scopePath(node: unknown): string[] | null {
  if (!isNode(node)) return null;
  if (node.op === 'id')
    return typeof node.args === 'string' && SCOPE_NAMES.has(node.args) ? [node.args] : null;
  if (node.op !== '.') return null;
  const [operand, field] = node.args as [unknown, unknown];
  const path = scopePath(operand);
  return path === null || typeof field !== 'string' ? null : [...path, field];
}

function isMap(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** What a JSON value is, with an article: `null`, `a number`, `a list`. */
function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

/** Most keys a note names. */
const MAX_KEYS_SHOWN = 10;

/**
 * The note for a field a map lacks (`input.audio_url` where `input` has `audioUrl`, a typo): the
 * keys it has, the first ten; '' when it has the field (the failure is about something else).
 */
function keysNote(name: string, field: unknown, map: Record<string, unknown>): string {
  if (typeof field !== 'string' || Object.hasOwn(map, field)) return '';
  const keys = Object.keys(map);
  if (keys.length === 0) return ` (${name} is an empty map)`;
  const shown = keys.slice(0, MAX_KEYS_SHOWN).map((key) => echo(key));
  const more = keys.length > MAX_KEYS_SHOWN ? ` and ${keys.length - MAX_KEYS_SHOWN} more` : '';
  return ` (the keys of ${name}: ${shown.join(', ')}${more})`;
}

/**
 * The note for `error` (the library's evaluation error, with the node it failed on) when that node
 * reads a field of a scope path whose value is null or not a map; '' otherwise.
 */
export function fieldNote(error: unknown, scope: ExpressionScope): string {
  const node = error !== null && typeof error === 'object' ? (error as { node?: unknown }).node : undefined;
  if (!isNode(node) || node.op !== '.') return '';
  const path = scopePath((node.args as unknown[])[0]);
  if (path === null) return '';
  const [root, ...fields] = path;
  let value: unknown = scope[root as keyof ExpressionScope] ?? null;
  for (const field of fields) {
    if (!isMap(value) || !Object.hasOwn(value as object, field)) return '';
    value = (value as Record<string, unknown>)[field];
  }
  const name = path.join('.');
  if (isMap(value)) return keysNote(name, (node.args as unknown[])[1], value as Record<string, unknown>);
  if (value === null && name === 'result') {
    return ' (result is null: there is no previous step, or it returned null)';
  }
  return value === null ? ` (${name} is null)` : ` (${name} is ${kind(value)}, not a map)`;
}

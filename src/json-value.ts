/**
 * Checks that a value survives JSON (what every store keeps): plain objects, arrays,
 * strings, finite numbers, booleans and null, with bounded depth; and takes the engine's own
 * copy of such a value, shaped as the stores give it back (a `Date` becomes its JSON string,
 * `undefined` is dropped from objects and is `null` in arrays, -0 is 0), so the memory store answers what
 * SQLite and PostgreSQL answer.
 *
 * The copy checks as it goes and builds nothing but the copy; only when it meets a problem is
 * the value walked again, keeping the keys and objects on the way, to say what and where.
 * @module
 */
import { types } from 'node:util';
import { errorMessage, ValidationError } from './errors.js';

const { isProxy } = types;

const MAX_DEPTH = 64;

/** A value that cannot be stored as JSON, and where in the checked value it sits. */
export interface JsonProblem {
  path: string;
  message: string;
}

/** The first non-JSON value in `value` and its path, or null. */
export function findJsonProblem(value: unknown, path: string): JsonProblem | null {
  return walkJson(value, path);
}

/** What {@link tryCopyJson} answers for a value JSON cannot hold. */
export const NOT_JSON: unique symbol = Symbol('not JSON');

/**
 * The largest input or output the stores keep, in characters of JSON text (see
 * {@link copiedJsonText}). A step record holds its output and, in a loop, the previous visit's:
 * twice this stays well within what a JavaScript string (about 512 Mi characters) and a stored row hold.
 */
export const MAX_JSON_TEXT = 64 * 1024 * 1024;

const MIB = 1024 * 1024;

/** What {@link tryCopyJson} answers for a value far over its `limit` (the copy stopped there). */
export const TOO_LARGE: unique symbol = Symbol('too large');

/**
 * How far past its limit a copy goes before it stops with {@link TOO_LARGE}: far enough that a
 * value near the limit is counted whole (its size stated exactly), near enough that an array whose
 * length alone is billions of values (`new Array(2 ** 32 - 1)`: no memory, 20 GB of JSON) is
 * refused from its length instead of copied.
 */
const STOP_FACTOR = 2;

/**
 * The engine's own copy of a JSON value (see the module), or {@link NOT_JSON} if it has a
 * problem (`findJsonProblem` then names it), or {@link TOO_LARGE} if its JSON text is over twice
 * `limit` (counted as {@link copiedJsonText} does). Allocates nothing but the copy: for the
 * per-step path.
 */
export function tryCopyJson(value: unknown, limit = Number.POSITIVE_INFINITY): unknown {
  const count: CopyCount = { text: 0, stopAt: limit * STOP_FACTOR };
  try {
    return fastCopy(value, 0, count);
  } catch (error) {
    if (error === OVER) return TOO_LARGE;
    // BAD, or what reading the value threw (a getter, a proxy's trap): either way, not JSON.
    return NOT_JSON;
  } finally {
    // Set once the copy ended: a copy made meanwhile (a getter's) has its own count.
    copiedText = count.text;
  }
}

/**
 * How large a value's JSON text is, for a message: `about 66 MiB of JSON text, over the limit of
 * 64 MiB`; `text` is {@link copiedJsonText}'s count, or infinite for a {@link TOO_LARGE} value.
 */
export function jsonSizeOverLimit(text: number, limit: number): string {
  const mib = (n: number) => Math.round(n / MIB);
  const size = Number.isFinite(text) ? `about ${mib(text)}` : `more than ${mib(limit * STOP_FACTOR)}`;
  return `${size} MiB of JSON text, over the limit of ${mib(limit)} MiB`;
}

/** The problem a value that failed the copy has (named by a second, bookkeeping walk). */
function problemIn(value: unknown, path: string): JsonProblem {
  return walkJson(value, path) ?? { path, message: 'cannot be stored as JSON' };
}

/**
 * The engine's own copy of a JSON value (see the module), or a ValidationError (`title`) that
 * names the problem: a value JSON cannot hold, or one whose JSON text is over `limit` (see
 * {@link copiedJsonText}).
 */
export function copyJsonOrThrow(
  value: unknown,
  path: string,
  title: string,
  limit = Number.POSITIVE_INFINITY,
): unknown {
  const copy = tryCopyJson(value, limit);
  if (copy === NOT_JSON) throw new ValidationError([problemIn(value, path)], title);
  const text = copy === TOO_LARGE ? Number.POSITIVE_INFINITY : copiedJsonText(copy, limit);
  if (text > limit) {
    const message = `is too large to store: ${jsonSizeOverLimit(text, limit)}`;
    throw new ValidationError([{ path, message }], title);
  }
  return copy;
}

/**
 * A copy of a value already checked (a recorded output, the execution's input). Counted apart
 * from a {@link tryCopyJson} under way (a handler that returns `ctx.outputs` has each output
 * copied on first read while the engine copies what it returned: counted twice, an output of 40
 * MiB was refused as 80). A value that fails the check all the same — read back from a row an
 * older release wrote (a parallel step's output one level deeper than a stored value may nest),
 * or handed back so by a custom store — is copied with `structuredClone` instead, whatever its
 * depth: failing, it failed every read of its execution (its status, each listing it is in).
 * @throws TypeError naming the problem when not even that copies it (a function in it).
 */
export function copyJson<T>(value: T): T {
  try {
    return fastCopy(value, 0, { text: 0, stopAt: Number.POSITIVE_INFINITY }) as T;
  } catch (thrown) {
    if (thrown !== BAD) throw thrown;
    return cloneStored(value);
  }
}

/** `structuredClone` of a stored value the fast copy refused (see {@link copyJson}). */
function cloneStored<T>(value: T): T {
  try {
    return structuredClone(value);
  } catch {
    const problem = problemIn(value, 'value');
    throw new TypeError(`A stored value cannot be read: ${problem.path}: ${problem.message}`);
  }
}

/**
 * What one copy counts as it goes: the characters in the strings and keys it copied, plus
 * {@link OTHER_VALUE_SIZE} per other value (about the length of the JSON text: see
 * {@link copiedJsonText}), and the count past which it stops (see {@link STOP_FACTOR}). One per
 * copy, so that a copy made inside another (a getter that copies) counts apart.
 */
interface CopyCount {
  text: number;
  readonly stopAt: number;
}

/** The finished count of the last {@link tryCopyJson}, for {@link copiedJsonText}. */
let copiedText = 0;

/**
 * What each value other than a string counts in {@link copiedText}: a third of the longest
 * JSON a number takes (24 characters), so that a limit on the count bounds the JSON text to a
 * few times it even for a value made of long numbers.
 */
const OTHER_VALUE_SIZE = 8;

/**
 * The length of the JSON text of `copy` — the value {@link tryCopyJson} just returned — as far as
 * it matters against `limit`: the characters of its strings and keys plus 8 per other value, plus what JSON's escapes add to its strings
 * and keys when that could carry it over `limit` (an escape writes at most 6 characters for one:
 * `\u0001`). The escapes are counted by a walk over every character, so only for a value large
 * enough to be near the limit.
 */
export function copiedJsonText(copy: unknown, limit: number): number {
  const counted = copiedText;
  return counted * 6 <= limit ? counted : counted + escapesIn(copy);
}

/** Characters JSON's escapes add to the strings and keys of a JSON value. */
function escapesIn(value: unknown): number {
  if (typeof value === 'string') return escapesInString(value);
  if (value === null || typeof value !== 'object') return 0;
  let extra = 0;
  if (Array.isArray(value)) {
    for (const item of value) extra += escapesIn(item);
    return extra;
  }
  for (const key of Object.keys(value)) {
    extra += escapesInString(key) + escapesIn((value as Record<string, unknown>)[key]);
  }
  return extra;
}

/** A character JSON writes as an escape (a surrogate only when unpaired). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding what JSON escapes is the point
const ESCAPED = /[\u0000-\u001f"\\\ud800-\udfff]/u;

/** `"` and `\\` and the short escapes (`\n`) add 1, other control characters and lone surrogates 5. */
function escapesInString(text: string): number {
  if (!ESCAPED.test(text)) return 0; // the common case, at the regular expression engine's speed
  let extra = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 || c === 0x5c || c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d) {
      extra += 1;
    } else if (c < 0x20) {
      extra += 5;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) i++;
      else extra += 5;
    }
  }
  return extra;
}

/** What the fast copy throws on any problem (one object, nothing allocated per throw). */
const BAD: unique symbol = Symbol('not a JSON value');

/** What the fast copy throws once its count is past its `stopAt`. */
const OVER: unique symbol = Symbol('too large');

/**
 * The copy, with no bookkeeping: a problem (a cycle shows as too deep) throws `BAD`, and the
 * caller walks the value again with `walkJson` to say what and where.
 */
function fastCopy(value: unknown, depth: number, count: CopyCount): unknown {
  if (typeof value === 'string') {
    count.text += value.length;
    return value;
  }
  count.text += OTHER_VALUE_SIZE;
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    // JSON writes -0 as 0: so do the durable stores, and so does the copy.
    if (Number.isFinite(value)) return value === 0 ? 0 : value;
    throw BAD;
  }
  if (value === undefined) return depth === 0 ? undefined : null;
  if (typeof value !== 'object' || depth >= MAX_DEPTH) throw BAD;
  if (count.text > count.stopAt) throw OVER;
  if (Array.isArray(value)) {
    // Its items count at least this much: a length alone can be billions (holes take no memory).
    if (count.text + value.length * OTHER_VALUE_SIZE > count.stopAt) throw OVER;
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = fastCopy(value[i], depth + 1, count);
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    if (value instanceof Date) return value.toJSON();
    throw BAD;
  }
  const out: Record<string, unknown> = {};
  if (isProxy(value)) {
    // A Proxy sees every read: its keys as `Object.keys` reads them (each key's descriptor once).
    // A `for...in` would ask its prototype again and each descriptor twice (the `hasOwn` below),
    // and a proxy that answers differently the second time would be copied differently.
    for (const key of Object.keys(value)) copyEntry(value, key, out, depth, count);
    return out;
  }
  // `for...in` over the own keys (the prototype is Object.prototype or null): the keys of an object
  // of a known shape come from V8's enumeration cache, where `Object.keys` would copy them into a
  // new array per object copied (every input and output of every step). A key a getter deleted
  // meanwhile is skipped, as an undefined value would be.
  for (const key in value) {
    if (Object.hasOwn(value, key)) copyEntry(value, key, out, depth, count);
  }
  return out;
}

/** Copies `value[key]` into `out` as `key` (left out when undefined), for {@link fastCopy}. */
function copyEntry(
  value: object,
  key: string,
  out: Record<string, unknown>,
  depth: number,
  count: CopyCount,
): void {
  const v = (value as Record<string, unknown>)[key];
  if (v === undefined) return;
  count.text += key.length;
  if (count.text > count.stopAt) throw OVER;
  const item = fastCopy(v, depth + 1, count);
  // A plain assignment to `__proto__` would set the prototype instead of a key.
  if (key === '__proto__') {
    Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
  } else {
    out[key] = item;
  }
}

/** Thrown inside the walk, caught at its top: the message; the path comes from the walk's stack. */
class Found {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

/** The walk's stack: keys from the root to the value being visited, and the objects on the way. */
interface Trail {
  keys: (string | number)[];
  objects: object[];
}

/** The first problem in `value`, with its path built from the keys that lead to it. */
function walkJson(value: unknown, path: string): JsonProblem | null {
  const trail: Trail = { keys: [], objects: [] };
  try {
    visit(value, trail);
    return null;
  } catch (error) {
    let at = path;
    for (const key of trail.keys) at += typeof key === 'number' ? `[${key}]` : `.${key}`;
    // Anything else was thrown by reading the value (a getter, a proxy's trap) where the trail is.
    const message = error instanceof Found ? error.message : `could not be read (${errorMessage(error)})`;
    return { path: at, message };
  }
}

function visit(value: unknown, trail: Trail): void {
  // undefined is stored as null (and skipped inside objects), as JSON does.
  if (value === null || value === undefined || typeof value === 'string' || typeof value === 'boolean')
    return;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return;
    throw new Found(`expected a finite number, got ${value}`);
  }
  if (typeof value !== 'object') throw new Found(`expected a JSON value, got ${typeof value}`);
  const { keys, objects } = trail;
  if (objects.length >= MAX_DEPTH) throw new Found(`nested deeper than ${MAX_DEPTH} levels`);
  if (objects.includes(value)) throw new Found('contains a circular reference');
  const proto = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) {
    // What JSON makes of a date: its ISO string.
    if (value instanceof Date) return;
    throw new Found(`expected a plain object, got ${proto?.constructor?.name ?? 'an object'}`);
  }
  objects.push(value);
  for (const key of Array.isArray(value) ? value.keys() : Object.keys(value)) {
    keys.push(key);
    visit((value as Record<string | number, unknown>)[key], trail);
    keys.pop();
  }
  objects.pop();
}

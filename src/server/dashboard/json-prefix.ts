/**
 * The start of a value's JSON text, written only as far as it is shown: exactly the first
 * characters of `JSON.stringify(value, null, indent)` (cut as {@link textPrefix} cuts), without
 * reading the value or building its text past the cut. An execution's output may be tens of MiB of
 * JSON of which the dashboard shows 64 Ki characters, on every refresh of a live page.
 *
 * It follows JSON.stringify for every value, not only plain JSON: `toJSON` (with its key), boxed
 * primitives, `undefined`, functions and symbols left out of objects and `null` in arrays,
 * non-finite numbers as `null`, and a TypeError for a bigint or a cycle met before the cut.
 * @module
 */
import { isHigh } from '../../surrogates.js';
import { textPrefix } from '../../text-prefix.js';

/** The text shown and whether the value's JSON text goes on past it. */
export interface JsonPrefix {
  text: string;
  truncated: boolean;
}

/** Thrown through the walk once the text written is past the limit. */
const CUT: unique symbol = Symbol('cut');

/** Characters JSON escapes: quotes, backslashes, control characters, surrogates not in a pair. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding what JSON escapes is the point
const ESCAPED = /["\\\u0000-\u001f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

const escapeChar = (c: string): string =>
  SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

class Writer {
  /** The text so far: appended to, which V8 does without copying. */
  private out = '';
  private readonly stack: object[] = [];
  /** A newline and the indent of each depth, made as first needed. */
  private readonly breaks: string[] = ['\n'];

  constructor(
    private readonly limit: number,
    private readonly indent: string,
  ) {}

  text(): string {
    return this.out;
  }

  private put(s: string): void {
    this.out += s;
    if (this.out.length > this.limit) throw CUT;
  }

  /** A newline and the indent of `depth`. */
  private newline(depth: number): string {
    let line = this.breaks[depth];
    if (line === undefined) {
      line = `${this.newline(depth - 1)}${this.indent}`;
      this.breaks[depth] = line;
    }
    return line;
  }

  /** A string as JSON; of a long one only as much as can still be shown (its escaped text is no shorter). */
  string(s: string): void {
    this.put('"');
    let raw = s;
    const room = this.limit - this.out.length + 1;
    if (s.length > room) {
      // Cut after the pair, not inside it: a first half alone would be escaped where the whole is not.
      const end = isHigh(s.charCodeAt(room - 1)) ? room + 1 : room;
      raw = s.slice(0, end);
    }
    this.put(raw.replace(ESCAPED, escapeChar));
    this.put('"');
  }

  /** `holder[key]` as JSON.stringify sees it: after its `toJSON`, a boxed primitive unboxed. */
  private resolve(holder: object, key: string): unknown {
    let value: unknown = (holder as Record<string, unknown>)[key];
    if ((typeof value === 'object' && value !== null) || typeof value === 'bigint') {
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') value = toJSON.call(value, key);
    }
    if (value instanceof Number) return Number(value);
    if (value instanceof String) return String(value);
    if (value instanceof Boolean || value instanceof BigInt) return value.valueOf();
    return value;
  }

  /** The value of `holder[key]` as JSON; false where JSON.stringify leaves it out (undefined). */
  value(holder: object, key: string): boolean {
    return this.write(this.resolve(holder, key));
  }

  private write(value: unknown): boolean {
    switch (typeof value) {
      case 'string':
        this.string(value);
        return true;
      case 'number':
        this.put(Number.isFinite(value) ? String(value) : 'null');
        return true;
      case 'boolean':
        this.put(value ? 'true' : 'false');
        return true;
      case 'bigint':
        throw new TypeError('Do not know how to serialize a BigInt');
      case 'object':
        if (value === null) this.put('null');
        else this.container(value);
        return true;
      default:
        return false;
    }
  }

  private container(value: object): void {
    if (this.stack.includes(value)) throw new TypeError('Converting circular structure to JSON');
    this.stack.push(value);
    const depth = this.stack.length;
    if (Array.isArray(value)) this.array(value, depth);
    else this.object(value, depth);
    this.stack.pop();
  }

  private array(value: unknown[], depth: number): void {
    const { length } = value;
    if (length === 0) {
      this.put('[]');
      return;
    }
    this.put('[');
    for (let i = 0; i < length; i++) {
      if (i > 0) this.put(',');
      if (this.indent) this.put(this.newline(depth));
      if (!this.value(value, String(i))) this.put('null');
    }
    if (this.indent) this.put(this.newline(depth - 1));
    this.put(']');
  }

  private object(value: object, depth: number): void {
    const colon = this.indent ? ': ' : ':';
    let first = true;
    for (const key of Object.keys(value)) {
      const property = this.resolve(value, key);
      const t = typeof property;
      // Left out without a trace, as JSON.stringify does.
      if (t === 'undefined' || t === 'function' || t === 'symbol') continue;
      this.put(first ? '{' : ',');
      first = false;
      if (this.indent) this.put(this.newline(depth));
      this.string(key);
      this.put(colon);
      this.write(property);
    }
    if (first) {
      this.put('{}');
      return;
    }
    if (this.indent) this.put(this.newline(depth - 1));
    this.put('}');
  }
}

/**
 * `JSON.stringify(value, null, indent)` cut at `limit` characters (one less where the cut would
 * split a surrogate pair), reading and writing the value only up to there; `undefined` where
 * JSON.stringify answers `undefined`. Throws JSON.stringify's TypeError for a bigint or a cycle
 * before the cut.
 */
export function jsonPrefix(value: unknown, limit: number, indent: string): JsonPrefix | undefined {
  const writer = new Writer(limit, indent);
  try {
    if (!writer.value({ '': value }, '')) return undefined;
  } catch (error) {
    if (error !== CUT) throw error;
    return { text: textPrefix(writer.text(), limit), truncated: true };
  }
  return { text: writer.text(), truncated: false };
}

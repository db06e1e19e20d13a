/**
 * A JSON value written as the CEL expression that produces it (`{'seconds': 1}`), for the message
 * of an expression given as that value instead of a string: `"input": {"seconds": 1}`.
 * @module
 */

/** Longest literal a message repeats. */
const MAX_LITERAL = 200;

/** `text` as a CEL single-quoted string. */
function quoted(text: string): string {
  return `'${text
    .replace(/[\\']/g, (c) => `\\${c}`)
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')}'`;
}

/** `value` as CEL source, or `null` for what JSON data cannot hold. */
function literal(value: unknown, depth: number): string | null {
  if (depth > 16) return null;
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
  if (typeof value === 'string') return quoted(value);
  if (Array.isArray(value)) {
    const items = value.map((item) => literal(item, depth + 1));
    return items.includes(null) ? null : `[${items.join(', ')}]`;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value as Record<string, unknown>).map(([key, item]) => {
      const text = literal(item, depth + 1);
      return text === null ? null : `${quoted(key)}: ${text}`;
    });
    return entries.includes(null) ? null : `{${entries.join(', ')}}`;
  }
  return null;
}

/** `value` as the CEL expression that produces it; `null` when it is no JSON data or too long to repeat. */
export function celLiteral(value: unknown): string | null {
  const text = literal(value, 0);
  return text !== null && text.length <= MAX_LITERAL ? text : null;
}

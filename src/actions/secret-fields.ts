/**
 * Where a text (an error body) holds the value of a JSON field whose name looks like a secret
 * (`secret-names.ts`): `"access_token": "…"`, `"password": 1234`, and the same JSON written inside
 * a JSON string (`"{\"client_secret\":\"…\"}"`, a server repeating the body it refused), and a
 * query or form parameter (`…?access_token=…&state=x`, `error=x&client_secret=…`). Only the
 * value is found: the name stays, so the excerpt still says which field it was. A string value
 * running to the end of the text (one cut by the read limit) runs to the end.
 * @module
 */
import { isSecretName } from '../secret-names.js';

/**
 * A field: `"name"` (its escapes too: `"\u0070assword"` is `password` to a JSON reader) then `:`
 * then a string (escapes skipped) or a number.
 */
const FIELD = /"((?:[^"\\\n]|\\[^\n]){1,100})"\s*:\s*(?:"((?:[^"\\]|\\.)*)(?:"|$)|(-?\d[\d.eE+-]*))/dgs;

/**
 * A field within a JSON string: its quotes written `\"` (a name's escapes `\\u0070`); its value
 * runs to the next `\"`.
 */
const ESCAPED_FIELD =
  /\\"((?:[^"\\\n]|\\\\[^"\\\n]){1,100})\\"\s*:\s*(?:\\"((?:(?!\\").)*)(?:\\"|$)|(-?\d[\d.eE+-]*))/dgs;

/**
 * A parameter of a query or form (`?access_token=…&x=1`, `password=…; path=/`): a name at the
 * start, or after `?`, `&`, `;`, a quote, a comma or a space, then `=` and a value up to one of those.
 * A name may be percent-encoded (`access%5Ftoken` is `access_token` to a form reader).
 */
const PARAMETER = /(?:^|[?&;\s,"'])([A-Za-z0-9_.%+-]{1,100})=([^&;\s,"'<>]+)/dg;

/** The [start, end) spans of `text` holding a secret-looking field's value, in no particular order. */
export function secretFieldSpans(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  for (const match of text.matchAll(PARAMETER)) {
    const value = match.indices?.[2];
    if (value && isSecretName(formName(match[1] ?? ''))) spans.push([value[0], value[1]]);
  }
  for (const [pattern, levels] of [
    [FIELD, 1],
    [ESCAPED_FIELD, 2],
  ] as const) {
    for (const match of text.matchAll(pattern)) {
      const name = jsonName(match[1] ?? '', levels);
      const value = match.indices?.[2] ?? match.indices?.[3];
      if (value && value[1] > value[0] && isSecretName(name)) spans.push([value[0], value[1]]);
    }
  }
  return spans;
}

/** A form or query parameter's name as its reader gets it: `+` a space, `%XX` decoded. */
function formName(raw: string): string {
  if (!/[%+]/.test(raw)) return raw;
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/**
 * A JSON field name as its reader gets it, its escapes undone `levels` times (2 for a field of
 * JSON written inside a JSON string): as written when that fails.
 */
function jsonName(raw: string, levels: number): string {
  let name = raw;
  for (let i = 0; i < levels && name.includes('\\'); i++) {
    try {
      name = JSON.parse(`"${name}"`) as string;
    } catch {
      return raw;
    }
  }
  return name;
}

/**
 * The issues of the `http` action's input that must not repeat the value they refuse: the input
 * given as a string (often the URL given for `{ url }`: shown without credentials and query),
 * `headers` (a header line such as `'Authorization: Bearer …'`) and a header's value (maybe a
 * secret), named by kind only; a header value's characters are checked later, by index. A header
 * name that is not a token is shown up to its first bad character (see {@link headerPath}).
 * @module
 */
import { describeKind, describeValue } from '../describe-value.js';
import type { Issue } from '../errors.js';
import { displayRefusedUrl } from './display-url.js';

const HEADERS = 'input.headers';

/** A character no header name (an RFC 9110 token) may hold. */
const NOT_TOKEN = /[^!#$%&'*+\-.^_`|~0-9A-Za-z]/;

/**
 * The path of a header in a message: `input.headers.<name>`. A name that is not a token is shown
 * up to its first bad character only (`input.headers.Authorization…`): given as a header line
 * (`'Authorization: Bearer …'`), the rest of the name is the secret.
 */
export function headerPath(name: string): string {
  const bad = NOT_TOKEN.exec(name);
  return bad ? `${HEADERS}.${name.slice(0, bad.index)}…` : `${HEADERS}.${name}`;
}

/** Where a header name stops being a token, for a message: `U+003A at index 13`; null if it is one. */
export function badNameCharacter(name: string): string | null {
  const bad = NOT_TOKEN.exec(name);
  if (!bad) return null;
  const code = (bad[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
  return `U+${code} at index ${bad.index}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `issues` of the input schema with those that could repeat a secret told by the value's kind. */
export function withoutSecretValues(issues: Issue[], input: unknown): Issue[] {
  return issues.map((issue) => {
    if (issue.path === 'input' && typeof input === 'string') {
      // Most likely the URL given for `{ url }`: shown as a refused URL is.
      return {
        path: issue.path,
        message: `must be an object, got ${describeValue(displayRefusedUrl(input))}`,
      };
    }
    if (!isObject(input)) return issue;
    const headers = input.headers;
    if (issue.path === HEADERS && !isObject(headers)) {
      return {
        path: issue.path,
        message: `must be an object of header names to string values, got ${describeKind(headers)}`,
      };
    }
    if (issue.path.startsWith(`${HEADERS}.`) && isObject(headers)) {
      const name = issue.path.slice(HEADERS.length + 1);
      const value = Object.hasOwn(headers, name) ? headers[name] : undefined;
      if (typeof value !== 'string')
        return { path: headerPath(name), message: `must be a string, got ${describeKind(value)}` };
      return { ...issue, path: headerPath(name) };
    }
    return issue;
  });
}

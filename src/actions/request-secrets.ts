/**
 * The values an `http` action request sent that may be secrets, so that what the server answers
 * is not repeated with them in it (the excerpt of an error body, `error-body-excerpt.ts`): a
 * server may echo a token it refuses, or the URL it was called with, and a step's error is
 * stored, listed over the HTTP API, shown on the dashboard and logged.
 *
 * - Every header value the input gave but those of the plainly safe headers (the ones a redirect
 *   to another origin keeps, `CROSS_ORIGIN_HEADERS`: `Accept`, `Content-Type`, `User-Agent`, …),
 *   and the credential after an authentication scheme (`Bearer X`'s `X`; a `Basic` one's user
 *   name, password and both as `user:password` too), and each cookie's value of a `Cookie`.
 * - The URL's user name and password (as written and decoded), both as `user:password` and its
 *   base64 (the `Basic` credential the action sends for them), and each query value (as written
 *   and decoded).
 * - The values the body holds under names that look like secrets (`client_secret`, `password`,
 *   `apiKey`: `body-secrets.ts`), in a JSON body or a form.
 * - Each of those also as it appears in a JSON string (escaped, and with `/` written `\/`) and
 *   percent-encoded.
 *
 * Not: values shorter than {@link MIN_SECRET_LENGTH} characters (an `en`, a `1` would be redacted
 * wherever the letters appear), the idempotency header's value (the step's own key, shown in its
 * status anyway), the action's own headers, and the body's other values (what a server's
 * validation error quotes: redacting them would hide what the error is about).
 * @module
 */
import { bodySecrets } from './body-secrets.js';
import { CROSS_ORIGIN_HEADERS } from './http-redirect.js';

/** The shortest value redacted: shorter ones would shred the text they are looked for in. */
export const MIN_SECRET_LENGTH = 4;

/** An authentication scheme (a token) and the credential after it. */
const SCHEME_AND_CREDENTIAL = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)[ \t]+(\S.*)$/s;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** `value` and the forms a server may echo it in: JSON-escaped (also with `\/`), percent-encoded. */
function forms(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  return [value, json, json.replaceAll('/', '\\/'), encodeURIComponent(value)];
}

/** A %-encoded part of a URL decoded, or as written when it does not decode. */
function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** The user name and password a `Basic` credential holds, with `user:password`; none if it is no such credential. */
function basicParts(credential: string): string[] {
  if (!BASE64.test(credential)) return [];
  const pair = Buffer.from(credential, 'base64').toString('utf8');
  const colon = pair.indexOf(':');
  if (colon < 0 || Buffer.from(pair, 'utf8').toString('base64') !== credential) return [];
  return [pair, pair.slice(0, colon), pair.slice(colon + 1)];
}

/**
 * The secrets of a request (see the module) with `headers` and `body` as the input gave them,
 * sent to `urls` (the input's and, after redirects, the one that answered), longest first.
 */
export function requestSecrets(
  headers: Readonly<Record<string, string>> | undefined,
  urls: readonly URL[],
  body?: unknown,
): string[] {
  const found = new Set<string>();
  const add = (value: string) => {
    for (const form of forms(value)) if (form.length >= MIN_SECRET_LENGTH) found.add(form);
  };
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const lower = name.toLowerCase();
    if (CROSS_ORIGIN_HEADERS.has(lower)) continue;
    const value = raw.trim();
    add(raw);
    add(value);
    const [, scheme, credential] = SCHEME_AND_CREDENTIAL.exec(value) ?? [];
    if (credential !== undefined) {
      add(credential);
      if (scheme?.toLowerCase() === 'basic') basicParts(credential).forEach(add);
    }
    if (lower === 'cookie') {
      for (const pair of value.split(';')) {
        const eq = pair.indexOf('=');
        if (eq >= 0) add(pair.slice(eq + 1).trim());
      }
    }
  }
  for (const url of urls) {
    for (const part of [url.username, url.password]) {
      add(part);
      add(decoded(part));
    }
    if (url.username || url.password) {
      const pair = `${decoded(url.username)}:${decoded(url.password)}`;
      add(pair);
      add(Buffer.from(pair, 'utf8').toString('base64'));
    }
    for (const value of url.searchParams.values()) add(value);
    for (const part of url.search.slice(1).split('&')) {
      const eq = part.indexOf('=');
      if (eq >= 0) add(part.slice(eq + 1));
    }
  }
  for (const value of bodySecrets(body)) add(value);
  return [...found].sort((a, b) => b.length - a.length);
}

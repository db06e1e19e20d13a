/**
 * What the server said with an error status, for the `http` action's step error
 * (`HTTP 400 Bad Request from POST https://api.example.com/x: {"error":"invalid voice id"}`): the
 * start of a body that decodes as text (JSON, `text/*`, untyped UTF-8: see `body-text.ts`), with
 * the request's secrets (`request-secrets.ts`) and the value of each JSON field named like a
 * secret (`"access_token": "…"`, `secret-fields.ts`) replaced by {@link REDACTED}, cut to
 * {@link ERROR_EXCERPT_LIMIT} characters and its control characters escaped as `echo()` escapes
 * them; of any other body, only its size and type. A secret is redacted before the cut, and one
 * that runs past the part of the body read (`ERROR_BODY_READ_LIMIT`) too, so no part of one is shown.
 * @module
 */
import { echo, escapeControls } from '../echo.js';
import { textPrefix } from '../text-prefix.js';
import { decodeText, isTextType } from './body-text.js';
import type { RawResponse } from './http-request.js';
import { MIN_SECRET_LENGTH } from './request-secrets.js';
import { secretFieldSpans } from './secret-fields.js';

/** The most characters of an error body the step's error repeats (a redaction is kept whole). */
export const ERROR_EXCERPT_LIMIT = 500;

/** What a secret is replaced by. */
export const REDACTED = '[redacted]';

/** Where `secret` occurs in `text`, as [start, end) spans. */
function occurrences(text: string, secret: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  for (let at = text.indexOf(secret); at !== -1; at = text.indexOf(secret, at + 1)) {
    spans.push([at, at + secret.length]);
  }
  return spans;
}

/** The longest start of `secret` (at least {@link MIN_SECRET_LENGTH} long) that `text` ends with, as a span. */
function runningOn(text: string, secret: string): [number, number] | null {
  for (let at = Math.max(0, text.length - secret.length + 1); at <= text.length - MIN_SECRET_LENGTH; at++) {
    if (text.charCodeAt(at) === secret.charCodeAt(0) && secret.startsWith(text.slice(at))) {
      return [at, text.length];
    }
  }
  return null;
}

/** The spans of `text` to redact, sorted and merged; `cut`: `text` is the start of a longer body. */
function secretSpans(text: string, secrets: readonly string[], cut: boolean): Array<[number, number]> {
  const spans = secretFieldSpans(text);
  for (const secret of secrets) {
    spans.push(...occurrences(text, secret));
    const tail = cut ? runningOn(text, secret) : null;
    if (tail) spans.push(tail);
  }
  spans.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const span of spans) {
    const last = merged.at(-1);
    if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else merged.push(span);
  }
  return merged;
}

/** `text` redacted and cut to {@link ERROR_EXCERPT_LIMIT} characters; `more` when it was cut. */
function redactedStart(
  text: string,
  secrets: readonly string[],
  cut: boolean,
): { shown: string; more: boolean } {
  let shown = '';
  let from = 0;
  for (const [start, end] of secretSpans(text, secrets, cut)) {
    const plain = text.slice(from, start);
    if (shown.length + plain.length >= ERROR_EXCERPT_LIMIT) {
      return { shown: shown + textPrefix(plain, ERROR_EXCERPT_LIMIT - shown.length), more: true };
    }
    shown += plain + REDACTED;
    from = end;
    if (shown.length >= ERROR_EXCERPT_LIMIT) return { shown, more: from < text.length };
  }
  const rest = text.slice(from);
  if (shown.length + rest.length <= ERROR_EXCERPT_LIMIT) return { shown: shown + rest, more: false };
  return { shown: shown + textPrefix(rest, ERROR_EXCERPT_LIMIT - shown.length), more: true };
}

/**
 * `text` (a whole one: a server's reason phrase) with `secrets` and secret-named JSON fields'
 * values replaced by {@link REDACTED}, not cut.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let shown = '';
  let from = 0;
  for (const [start, end] of secretSpans(text, secrets, false)) {
    shown += text.slice(from, start) + REDACTED;
    from = end;
  }
  return shown + text.slice(from);
}

/** The body's size: `412 bytes`, or, of one read in part, its `Content-Length` or `more than 8192 bytes`. */
function bodySize(res: RawResponse): string {
  if (!res.bodyCut) return `${res.body.length} bytes`;
  const declared = String(res.headers['content-length'] ?? '');
  if (/^\d{1,15}$/.test(declared) && Number(declared) > res.body.length) return `${declared} bytes`;
  return `more than ${res.body.length} bytes`;
}

/**
 * What to add to the message of an error status's step error, or null for an empty (or blank)
 * body: the text excerpt (see the module), followed by `… (body of 20000 bytes)` when cut; of a
 * body that is no text, `(412 bytes of application/octet-stream)`.
 */
export function errorBodyExcerpt(res: RawResponse, secrets: readonly string[]): string | null {
  if (res.body.length === 0) return null;
  const type = String(res.headers['content-type'] ?? '');
  const cut = res.bodyCut === true;
  const text = isTextType(type) ? decodeText(res.body, type, cut) : null;
  if (text === null) {
    const media = type.split(';')[0]?.trim() ?? '';
    return `(${bodySize(res)} of ${media ? echo(media, null) : 'untyped data'})`;
  }
  if (text.trim() === '') return null;
  const { shown, more } = redactedStart(text, secrets, cut);
  return more || cut ? `${escapeControls(shown)}… (body of ${bodySize(res)})` : escapeControls(shown);
}

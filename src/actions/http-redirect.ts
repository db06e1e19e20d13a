/**
 * The `http` action's redirects (301, 302, 303, 307, 308): where one goes (its `Location`, read as
 * UTF-8; none, or one that is no URL, is `HTTP_BAD_REDIRECT`; `https:` to `http:` is refused) and
 * what is sent there: the method and body (a 303, and a 301 or 302 answering a POST, turn the
 * request into a body-less GET; 307 and 308 keep both) and the headers. A redirect to another
 * origin (scheme, host or port) carries only the headers in {@link CROSS_ORIGIN_HEADERS} (and the
 * step's idempotency header): any other header the input gave may be a credential
 * (`Authorization`, `Cookie`, `X-Api-Key`, a vendor's own token header), meant for the origin it
 * was given for. A redirect's body is never read.
 * @module
 */
import { echo } from '../echo.js';
import { NonRetryableError } from '../errors.js';
import { displayRefusedUrl, displayUrl } from './display-url.js';
import type { RawRequest, RawResponse } from './http-request.js';

/** The statuses whose `Location` is followed. */
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/**
 * Whether a response is a redirect: the action follows it or fails (past the last one it
 * follows, to a location it cannot or will not go to), so its body is never used and is not
 * read: a large one would otherwise fail the call with `HTTP_RESPONSE_TOO_LARGE`.
 */
export function isRedirect(status: number): boolean {
  return REDIRECT_STATUSES.has(status);
}

/**
 * A `Location` as text. Node reads a header's bytes as Latin-1, but a Location past ASCII is
 * most often UTF-8 (a server writing a path with `é` unescaped): read so, as browsers do, its
 * `/café` is followed as `/caf%C3%A9`, not `/caf%C3%83%C2%A9`. Bytes that are no UTF-8 stay
 * Latin-1 characters.
 */
function locationText(location: string): string {
  if (!/[\u0080-\u00ff]/.test(location)) return location;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(location, 'latin1'));
  } catch {
    return location;
  }
}

/**
 * Where a redirect from `from` goes: its `Location` resolved against `from`.
 * @throws NonRetryableError `HTTP_BAD_REDIRECT` when there is no `Location` (or an empty one) or
 * it is no URL (named without its credentials and query, as a refused input URL is).
 * @throws NonRetryableError `HTTP_INSECURE_REDIRECT` from `https:` to `http:`: following it
 * would send the request, its headers and body, unencrypted.
 */
export function redirectTarget(res: RawResponse, method: string, from: URL): URL {
  const what = `HTTP ${res.status} from ${method} ${displayUrl(from)}`;
  const location = res.headers.location;
  if (!location) {
    throw new NonRetryableError(`${what} has no Location header: the redirect cannot be followed`, {
      code: 'HTTP_BAD_REDIRECT',
    });
  }
  const text = locationText(location);
  let next: URL;
  try {
    next = new URL(text, from);
  } catch {
    const shown = echo(displayRefusedUrl(text));
    throw new NonRetryableError(`${what} redirects to ${shown}, which is not a valid URL`, {
      code: 'HTTP_BAD_REDIRECT',
    });
  }
  if (from.protocol === 'https:' && next.protocol === 'http:') {
    throw new NonRetryableError(
      `Refused a redirect from ${displayUrl(from)} to ${displayUrl(next)}: it would send the request unencrypted (https to http)`,
      { code: 'HTTP_INSECURE_REDIRECT' },
    );
  }
  return next;
}

/** Headers that say what is wanted or what the body is, and carry no credential. */
export const CROSS_ORIGIN_HEADERS: ReadonlySet<string> = new Set([
  'accept',
  'accept-encoding',
  'accept-language',
  'content-encoding',
  'content-language',
  'content-type',
  'user-agent',
]);

/** Headers that describe the request's body (Fetch's request-body-header names): dropped with it. */
const BODY_HEADERS = ['content-encoding', 'content-language', 'content-location', 'content-type'];

/**
 * The request to send to `to` after a `status` redirect from `from`. `keep` names (lower-case)
 * the headers carried to another origin: {@link CROSS_ORIGIN_HEADERS} and the idempotency header.
 */
export function redirectedRequest(
  request: RawRequest,
  status: number,
  from: URL,
  to: URL,
  keep: ReadonlySet<string>,
): RawRequest {
  const headers: Record<string, string> = {};
  const sameOrigin = to.origin === from.origin;
  for (const [name, value] of Object.entries(request.headers)) {
    if (sameOrigin || keep.has(name)) headers[name] = value;
  }
  const toGet =
    status === 303
      ? request.method !== 'HEAD'
      : (status === 301 || status === 302) && request.method === 'POST';
  if (!toGet) return { ...request, headers };
  for (const name of BODY_HEADERS) delete headers[name];
  return { method: 'GET', headers };
}

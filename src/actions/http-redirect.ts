/**
 * What the `http` action sends after a redirect it follows: the method and body (a 303, and a
 * 301 or 302 answering a POST, turn the request into a body-less GET; 307 and 308 keep both)
 * and the headers. A redirect to another origin (scheme, host or port) carries only the headers
 * in {@link CROSS_ORIGIN_HEADERS} (and the step's idempotency header): any other header the
 * input gave may be a credential (`Authorization`, `Cookie`, `X-Api-Key`, a vendor's own token
 * header), meant for the origin it was given for.
 * @module
 */
import type { RawRequest, UnreadBody } from './http-request.js';

/** The statuses whose `Location` is followed. */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/**
 * Whether a response is a redirect the action follows (or fails on: past the last one it
 * follows, or to a location it refuses), so its body is never used and is not read: a large
 * one would otherwise fail the call with `HTTP_RESPONSE_TOO_LARGE`.
 */
export const isRedirect: UnreadBody = (status, headers) =>
  REDIRECT_STATUSES.has(status) && Boolean(headers.location);

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
  delete headers['content-type'];
  return { method: 'GET', headers };
}

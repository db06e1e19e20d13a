/**
 * The path of a request, as the router reads its target: the origin form (`/v1/workflows?x`) up
 * to its query; the absolute form (`http://host:8080/v1/workflows?x`, which a server must accept,
 * RFC 9112 §3.2.2, and a client sends through a proxy) without its scheme and authority (`/` when
 * it has no path). What decides whether an unmatched path needs the token, and which methods it
 * is asked with, is then the path the router matched, not the URL as sent.
 * @module
 */

/** `http://` or `https://` and an authority, as the router strips them (any case). */
const ORIGIN = /^https?:\/\/[^/?#]+/i;

/** The path of request target `url`, as sent (percent-encoding kept), without its query. */
export function requestPath(url: string): string {
  const origin = url.startsWith('/') ? null : ORIGIN.exec(url);
  const rest = origin ? url.slice(origin[0].length) : url;
  const path = rest.split(/[?#]/)[0] as string;
  return origin && path === '' ? '/' : path;
}

/** The query of request target `url` as sent, from its `?` (empty without one; a fragment left out). */
export function requestQuery(url: string): string {
  const start = url.indexOf('?');
  if (start === -1) return '';
  const end = url.indexOf('#', start);
  return end === -1 ? url.slice(start) : url.slice(start, end);
}

/**
 * The path the router matches for request target `url`: {@link requestPath} with its
 * percent-encoding decoded as the router decodes it (`/%761/nope` is `/v1/nope`), except for the
 * characters that delimit (`%2F` stays one segment) and `%25`. A path that does not decode (the
 * router refused it already) is returned as sent.
 */
export function routedPath(url: string): string {
  const path = requestPath(url);
  if (!path.includes('%')) return path;
  try {
    // decodeURI keeps reserved characters encoded (`/`, `?`, `#`, ...), but would turn `%25` into
    // a `%` that reads as the start of another escape: kept as sent, as the router keeps it.
    return decodeURI(path.replace(/%25/g, '%2525'));
  } catch {
    return path;
  }
}

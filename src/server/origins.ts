/**
 * The dashboard's `allowedOrigins` (also `serve --allowed-origin`), in the form a browser's `Origin` header takes: lower-case
 * scheme and host, no default port, no trailing slash (`HTTPS://Ops.Example.com:443/` is
 * `https://ops.example.com`). They were compared as written, so such an entry matched no request
 * and every POST through that origin got 403. An entry that is no `scheme://host[:port]` (a path,
 * a query, credentials, another scheme) is refused by name.
 * @module
 */
import { describeValue } from '../describe-value.js';

/** `scheme://host[:port]`, a trailing slash allowed; the URL parser checks the rest. */
const ORIGIN_SHAPE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#@\s\\]+\/?$/;

/** What is wrong with `value` as an origin, or null. */
export function originProblem(value: string): string | null {
  const expected = `Expected an origin such as 'https://ops.example.com' (scheme://host[:port]), got ${describeValue(value)}`;
  if (!ORIGIN_SHAPE.test(value)) return expected;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return expected;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `Expected an http or https origin, got ${describeValue(value)}`;
  }
  return null;
}

/**
 * `value` as a browser sends it in `Origin`.
 * @throws TypeError when it is no origin (check with {@link originProblem} first).
 */
export function normalizeOrigin(value: string): string {
  const problem = originProblem(value);
  if (problem !== null) throw new TypeError(problem);
  return new URL(value).origin;
}

/**
 * How the `http` action's error messages repeat a URL. A URL is useful longer than an id, so its
 * scheme, host and port stay whole (a host name past `ECHO_LIMIT` is cut, as `echo()` cuts any
 * value and as the messages naming a host alone cut it) and its path is cut past
 * {@link URL_PATH_ECHO_LIMIT} characters. The credentials and the query never appear: they may
 * carry secrets, and the query is where a URL from workflow input usually grows. A URL is up to
 * 8192 characters as input, a redirect's Location up to the response's header size, and a step's
 * error is stored with every attempt and shown in status, logs and the dashboard. The path is
 * shown as it is: a secret in it (a webhook's `/services/T…/B…/<secret>`) cannot be told from an
 * ordinary id (`cs_test_a1B2…`, a nanoid) without hiding those too (README says so).
 * @module
 */
import { ECHO_LIMIT } from '../echo.js';
import { redactRefusedUrl } from '../redact-url.js';

/** The most characters of a URL's path a message repeats. */
export const URL_PATH_ECHO_LIMIT = 200;

/**
 * The URL for a message: `scheme://host:port/path`, without credentials, query or fragment. A
 * path longer than {@link URL_PATH_ECHO_LIMIT} is cut: `https://h/abc… (path of 9000 characters)`;
 * a host name longer than {@link ECHO_LIMIT} too: `https://abc… (host of 300 characters):8443/x`.
 * A parsed URL's host and path are ASCII (punycode, %-escapes): cutting never splits a character.
 */
export function displayUrl(url: URL): string {
  const port = url.port ? `:${url.port}` : '';
  return `${url.protocol}//${cut(url.hostname, ECHO_LIMIT, 'host')}${port}${cut(url.pathname, URL_PATH_ECHO_LIMIT, 'path')}`;
}

function cut(text: string, limit: number, what: string): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}… (${what} of ${text.length} characters)`;
}

/**
 * A URL that does not parse, for a message: its credentials masked (see `redactRefusedUrl`) and,
 * as {@link displayUrl} leaves them out, its query and fragment dropped, from the first `?` or `#`
 * after the user info on (a URL fails to parse on its scheme, host or port, seldom its query).
 */
export function displayRefusedUrl(url: string): string {
  return redactRefusedUrl(url).replace(/[?#].*$/s, '');
}

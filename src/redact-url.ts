/**
 * Store URLs with their credentials masked, for messages and logs.
 * @module
 */

/** A query key as the PostgreSQL driver and URLSearchParams read it (`+` a space, percent-decoded); the raw key if malformed. */
function queryKey(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/**
 * `url` with the value of each query parameter whose key (decoded, see `queryKey`) `masked`
 * accepts replaced by `***`; the keys and the other parameters are left as written.
 */
export function maskQueryValues(url: string, masked: (key: string) => boolean): string {
  return url.replace(/([?&])([^=&#]*)=([^&#]*)/g, (pair, sep: string, key: string) =>
    masked(queryKey(key)) ? `${sep}${key}=***` : pair,
  );
}

/** The query keys whose value is masked: the password, and libpq's passphrase of the client key. */
const PASSWORD_KEYS = new Set(['password', 'sslpassword']);

/**
 * A `password` keyword of libpq's keyword/value form and its value: up to the next space, or a
 * quoted value up to its closing quote (`\'` and `\\` escaped), or up to the end when unclosed.
 */
const KEYWORD_PASSWORD = /(^|\s)((?:ssl)?password\s*=\s*)(?:'(?:[^'\\]|\\.)*(?:'|$)|[^\s']\S*|(?=\s|$))/gi;

/**
 * A URL with its password (and any user info) replaced, for messages and logs. The user info
 * runs to the last `@` before the path, as the PostgreSQL driver reads it (a password may hold a
 * raw `@`); a password written with a raw `/`, `?` or `#` (which ends the user info for a URL
 * parser) is masked too: what runs from `//` to the URL's last `@` is taken for user info when it
 * has a `:` (better a host masked by mistake than a password shown). A `password` query
 * parameter (or libpq's `sslpassword`, which the driver does not read and a check refuses) is
 * masked whatever its case or percent-encoding, and so is a `password=` (or `sslpassword=`)
 * keyword of libpq's keyword/value form (`host=db password=… dbname=x`, quoted or not), which is
 * no URL but is easily given for one.
 */
export function redactUrl(url: string): string {
  const masked = maskUserInfo(url.replace(KEYWORD_PASSWORD, '$1$2***'));
  return maskQueryValues(masked, (key) => PASSWORD_KEYS.has(key.toLowerCase()));
}

/** `url` with its user info replaced by `***` (see {@link redactUrl}). */
function maskUserInfo(url: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0];
  if (scheme === undefined) return url;
  const rest = url.slice(scheme.length);
  const last = rest.lastIndexOf('@');
  if (last < 0) return url;
  // Where a URL parser ends the host part.
  const end = rest.search(/[/?#]/);
  // The user info runs to the last @ before the path, as the driver reads it; an @ past a /, ? or
  // # is a password's holding raw ones when what comes before it has a ':' (a host masked by
  // mistake is better than a password shown, even in part: `u:p@ss#w/rd@host`).
  const cut =
    end < 0 || last < end || rest.slice(0, last).includes(':') ? last : rest.slice(0, end).lastIndexOf('@');
  return cut < 0 ? url : `${scheme}***${rest.slice(cut)}`;
}

/**
 * A store URL that was refused as malformed, masked for the error message: as
 * {@link redactUrl}, and when the `//` is missing too (`postgres:user:password@host`, a typo),
 * everything before its `@`.
 */
export function redactRefusedUrl(url: string): string {
  const masked = redactUrl(url);
  if (masked.includes('***@') || !masked.includes('@')) return masked;
  return masked.replace(/^([a-z][a-z0-9+.-]*:\/*)?.*@/i, '$1***@');
}

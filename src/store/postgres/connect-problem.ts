/**
 * What a failed connect to a PostgreSQL store means, said plainly where the driver's or server's
 * words do not say what to change in the store URL.
 * @module
 */
import { cutText } from './url-options.js';

/** The server's words for a startup packet without a user (SQLSTATE 28000). */
const NO_USER = 'no PostgreSQL user name specified in startup packet';

/**
 * Whether `url` gives its `part` itself, in its user info (`postgres://user:password@host/db`) or
 * as a query parameter (`?user=`, `?password=`); true for a URL that does not parse.
 */
function urlGives(url: string, part: 'user' | 'password'): boolean {
  try {
    const parsed = new URL(url);
    return (part === 'user' ? parsed.username : parsed.password) !== '' || parsed.searchParams.has(part);
  } catch {
    return true;
  }
}

/**
 * What a refused password (SQLSTATE 28P01) means for `url`: the one it gives is wrong, or it gives
 * none and the driver sent PGPASSWORD's, ~/.pgpass's or none.
 */
function passwordProblem(message: string, url: string): string {
  const server = `(server: ${message}, SQLSTATE 28P01)`;
  if (urlGives(url, 'password')) return `the server refused the password the URL gives ${server}`;
  return `the URL gives no password, and the server refused the one the driver sent (from PGPASSWORD or ~/.pgpass, else none): put it in the URL (postgres://user:password@host/db) or set PGPASSWORD ${server}`;
}

/**
 * The cause of a failed connect to `url` as a message says it, or null to say the driver's own
 * words: a host with no address (the driver said only 'getaddrinfo ENOTFOUND <host>'), a port
 * nothing listens on ('connect ECONNREFUSED <address>:<port>'), a URL without a user, when neither PGUSER nor USER gave the driver one (it sent none,
 * and the server said 'no PostgreSQL user name specified in startup packet'), or when the one
 * they gave is no role of the server; a password the server refused, whether the URL gave it.
 */
export function connectProblem(error: unknown, url: string): string | null {
  const { code, message, hostname, address, port } = (error ?? {}) as Record<string, unknown>;
  if (code === 'ENOTFOUND' && typeof hostname === 'string') {
    return `the host ${cutText(JSON.stringify(hostname))} is not known (no address found for it: ${cutText(String(message))})`;
  }
  if (code === 'ECONNREFUSED' && typeof address === 'string') {
    return `nothing accepts connections at ${address} port ${String(port)}: is the server running, on that host and port? (${String(message)})`;
  }
  if (code === '28P01' && typeof message === 'string') return passwordProblem(message, url);
  if (code !== '28000' || typeof message !== 'string' || urlGives(url, 'user')) return null;
  const fix = 'add one (postgres://user@host/db) or set PGUSER';
  if (message === NO_USER) {
    return `the URL names no user and neither PGUSER nor USER is set: ${fix} (server: ${message}, SQLSTATE 28000)`;
  }
  if (/^role ".*" does not exist$/.test(message)) {
    return `the URL names no user, so the driver took PGUSER or USER, and the server says ${message}: ${fix} (SQLSTATE 28000)`;
  }
  return null;
}

/**
 * What a failed connect to a PostgreSQL store means, said plainly where the driver's or server's
 * words do not say what to change in the store URL.
 * @module
 */

/** The server's words for a startup packet without a user (SQLSTATE 28000). */
const NO_USER = 'no PostgreSQL user name specified in startup packet';

/** Whether `url` names a user itself (`postgres://user@host/db`, `?user=`). */
function urlNamesUser(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.searchParams.has('user');
  } catch {
    return true;
  }
}

/**
 * The cause of a failed connect to `url` as a message says it, or null to say the driver's own
 * words: a URL without a user, when neither PGUSER nor USER gave the driver one (it sent none,
 * and the server said 'no PostgreSQL user name specified in startup packet'), or when the one
 * they gave is no role of the server.
 */
export function connectProblem(error: unknown, url: string): string | null {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code !== '28000' || typeof message !== 'string' || urlNamesUser(url)) return null;
  const fix = 'add one (postgres://user@host/db) or set PGUSER';
  if (message === NO_USER) {
    return `the URL names no user and neither PGUSER nor USER is set: ${fix} (server: ${message}, SQLSTATE 28000)`;
  }
  if (/^role ".*" does not exist$/.test(message)) {
    return `the URL names no user, so the driver took PGUSER or USER, and the server says ${message}: ${fix} (SQLSTATE 28000)`;
  }
  return null;
}

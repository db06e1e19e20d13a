/**
 * Checks of the query parameters of a PostgreSQL store URL that the driver would take silently in a
 * way the user did not mean: a parameter given twice (the driver keeps the last, `?schema=` the
 * first), and an `sslmode` the driver does not know, which it treats as `verify-full`, so a typo
 * such as `sslmode=disabled` failed with "The server does not support SSL connections".
 * @module
 */
import { redactUrl } from '../../config.js';
import { ValidationError } from '../../errors.js';

/** The `sslmode` values the driver (`pg`) understands. */
export const SSL_MODES: readonly string[] = [
  'disable',
  'prefer',
  'require',
  'verify-ca',
  'verify-full',
  'no-verify',
];

/**
 * @throws ValidationError naming `store` (the password masked) for a query parameter given twice or
 * an `sslmode` the driver does not know. A URL that does not parse is left to the driver.
 */
export function checkUrlOptions(url: string): void {
  let params: URLSearchParams;
  try {
    params = new URL(url).searchParams;
  } catch {
    return;
  }
  const messages: string[] = [];
  const seen = new Set<string>();
  for (const key of params.keys()) {
    if (seen.has(key)) messages.push(`the parameter '${key}' is given more than once`);
    seen.add(key);
  }
  const sslmode = params.get('sslmode');
  if (sslmode !== null && !SSL_MODES.includes(sslmode)) {
    messages.push(`sslmode ${JSON.stringify(sslmode)} is not one of ${SSL_MODES.join(', ')}`);
  }
  if (messages.length > 0) {
    throw new ValidationError(
      [
        {
          path: 'store',
          message: `Cannot use the PostgreSQL URL ${redactUrl(url)}: ${[...new Set(messages)].join('; ')}`,
        },
      ],
      'Invalid config',
    );
  }
}

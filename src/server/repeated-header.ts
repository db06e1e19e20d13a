/**
 * A request header that must come once. Node keeps the first of some repeated headers
 * (`Authorization`) and joins others into one value (`a, b`): either way the request would be
 * read with a value the client may not have meant, so a repeated one is refused, naming it.
 * @module
 */
import { ValidationError } from '../errors.js';

/** How many times a header (lower-case `name`) was sent: `rawHeaders` lists name, value, name, value… */
export function headerCount(rawHeaders: readonly string[], name: string): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]?.toLowerCase() === name) count++;
  return count;
}

/**
 * Refuses a header (lower-case `name`) sent more than once.
 * @throws ValidationError (`VALIDATION`, 400) naming `headers.<name>`.
 */
export function assertHeaderOnce(rawHeaders: readonly string[], name: string): void {
  if (headerCount(rawHeaders, name) > 1) {
    throw new ValidationError(
      [{ path: `headers.${name}`, message: 'given more than once; give it once' }],
      'Invalid request',
    );
  }
}

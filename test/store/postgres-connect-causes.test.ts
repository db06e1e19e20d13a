/**
 * Opening a PostgreSQL store whose host has no address, or whose port nothing listens on, failed
 * with the driver's words only ('getaddrinfo ENOTFOUND nohost.invalid', 'connect ECONNREFUSED
 * 127.0.0.1:1'); the message now says the cause plainly after the URL (password masked), the
 * driver's words kept in parentheses.
 */
import { describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/index.js';

async function initError(url: string): Promise<Error & { code?: string }> {
  return (await new PostgresStore(url).init().catch((e: unknown) => e)) as Error & { code?: string };
}

describe('a PostgreSQL store that cannot be connected to', () => {
  it('names a host with no address as not known', async () => {
    const error = await initError('postgres://me:s3cret@nohost.invalid/test');
    expect(error.code).toBe('STORE_UNAVAILABLE');
    expect(error.message).toMatch(
      /^Cannot open PostgreSQL store at postgres:\/\/\*\*\*@nohost\.invalid\/test: the host "nohost\.invalid" is not known \(no address found for it: .*ENOTFOUND nohost\.invalid\)$/,
    );
    expect(error.message).not.toContain('s3cret');
  });

  it('names a port nothing listens on, asking whether the server runs there', async () => {
    const error = await initError('postgres://me:s3cret@127.0.0.1:1/test');
    expect(error.code).toBe('STORE_UNAVAILABLE');
    expect(error.message).toBe(
      'Cannot open PostgreSQL store at postgres://***@127.0.0.1:1/test: nothing accepts connections at 127.0.0.1 port 1: is the server running, on that host and port? (connect ECONNREFUSED 127.0.0.1:1)',
    );
  });
});

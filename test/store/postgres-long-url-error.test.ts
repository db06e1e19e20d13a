/**
 * A store whose server cannot be reached, named by a very long URL (a long database name, a long
 * `options` parameter): the STORE_UNAVAILABLE error repeats at most 256 characters of the URL, with
 * its length, as the other errors naming a store URL do. Before, it repeated the whole URL: 10 KB
 * of it made a 10 KB message in every log line and CLI error. Likewise the CLI's refusal of a schema
 * that does not exist.
 */
import { describe, expect, it } from 'vitest';
import { StoreClient } from '../../src/cli/store-client.js';
import { PostgresStore } from '../../src/index.js';
import { assertServerReachable, freshSchema, PG_URL } from './pg-fixture.js';

describe('a PostgreSQL store at a very long URL that cannot be reached', () => {
  it('fails init with STORE_UNAVAILABLE repeating the URL cut, the password masked', async () => {
    const url = `postgres://me:s3cret@127.0.0.1:1/${'d'.repeat(10_000)}`;
    const error = (await new PostgresStore(url).init().catch((e: unknown) => e)) as Error & { code?: string };
    expect(error.code).toBe('STORE_UNAVAILABLE');
    expect(error.message.length).toBeLessThan(600);
    expect(error.message).toMatch(
      /^Cannot open PostgreSQL store at postgres:\/\/\*+@127\.0\.0\.1:1\/d+… \(\d+ characters\): /,
    );
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).not.toContain('s3cret');
  });
});

describe('a CLI read of a PostgreSQL schema that does not exist, at a very long URL', () => {
  it('fails with STORE_NOT_FOUND repeating the URL cut, the password masked', async () => {
    await assertServerReachable();
    const long = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}application_name=${'a'.repeat(1_000)}&schema=${freshSchema()}`;
    const url = long.replace('://', '://me:s3cret@').replace('me:s3cret@postgres@', 'postgres:s3cret@');
    const error = (await StoreClient.open(url).catch((e: unknown) => e)) as Error & { code?: string };
    expect(error.code).toBe('STORE_NOT_FOUND');
    expect(error.message.length).toBeLessThan(600);
    expect(error.message).toMatch(/^store 'postgres:\/\/.*a… \(\d+ characters\)' does not exist yet/);
    expect(error.message).not.toContain('s3cret');
  });
});

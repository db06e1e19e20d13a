/**
 * The engine rows read the server's counters around each row (as the harness does for the peers)
 * as the role of their own store URL: the harness's default names the role `bench`, which only the
 * peers' setup creates, so a row run before any peer reported `role "bench" does not exist`.
 */
import { describe, expect, it } from 'vitest';
import { serverBase } from '../../bench/lib/pg.js';

describe('serverBase', () => {
  it('keeps the scheme, credentials, host and port of a store URL, not its database or query', () => {
    expect(serverBase('postgres://postgres@127.0.0.1:5432/bench_engine?schema=bench_1')).toBe(
      'postgres://postgres@127.0.0.1:5432',
    );
    expect(serverBase('postgresql://me:s%40cret@db.local/app')).toBe('postgresql://me:s%40cret@db.local');
    expect(serverBase('postgres://127.0.0.1:6543/x')).toBe('postgres://127.0.0.1:6543');
    expect(serverBase('postgres://u@[::1]:5432/x')).toBe('postgres://u@[::1]:5432');
  });
});

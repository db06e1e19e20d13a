/**
 * A SQLite path under a folder that cannot be made, where making it fails with ENOENT though its
 * parent exists (`/proc/nope/…` on Linux), is refused: Node 20's recursive mkdirSync turns that
 * ENOENT into a loop that never returns, so `init()` hung.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

describe.runIf(existsSync('/proc/self'))('SQLite store under a folder that cannot be made', () => {
  it('refuses with STORE_UNAVAILABLE naming the path instead of hanging', async () => {
    const store = new SqliteStore('/proc/nope/x.sqlite');
    await expect(store.init()).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: expect.stringMatching(/^Cannot open SQLite store '\/proc\/nope\/x\.sqlite': .*ENOENT/),
    });
  });
});

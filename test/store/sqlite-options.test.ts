/**
 * SqliteStore's options are checked when it is constructed: `{ synchronous: 'normal' }` (or
 * 'OFF', or a misspelt key `{ sync: 'NORMAL' }`) was taken as the default FULL without a word, so
 * a user asking for NORMAL got fsync per commit and never knew why; `null` options failed at open
 * with a TypeError message inside STORE_UNAVAILABLE. They are now a ValidationError naming the
 * option, as the other stores' and the config's are.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

describe('SqliteStore options', () => {
  it.each(['normal', 'OFF', 'EXTRA', '', 1, null])('refuses synchronous %s naming it', (synchronous) => {
    expect(() => new SqliteStore(':memory:', { synchronous: synchronous as never })).toThrow(ValidationError);
    expect(() => new SqliteStore(':memory:', { synchronous: synchronous as never })).toThrow(
      /synchronous: Expected 'FULL' or 'NORMAL'/,
    );
  });

  it('refuses an unknown option by name, and options that are no object', () => {
    expect(() => new SqliteStore(':memory:', { sync: 'NORMAL' } as never)).toThrow(
      /sync: unknown key 'sync'/,
    );
    for (const options of [null, [], 'NORMAL']) {
      expect(() => new SqliteStore(':memory:', options as never)).toThrow(/options: expected an object/);
    }
  });

  it('refuses a path that is not a string', () => {
    expect(() => new SqliteStore(123 as never)).toThrow(/path: Expected a file path or ':memory:', got 123/);
  });

  it('takes FULL, NORMAL and no options, and opens with what was asked', async () => {
    const store = new SqliteStore(':memory:', { synchronous: 'NORMAL' });
    await store.init();
    expect(store.settings().synchronous).toBe('NORMAL');
    await store.close();
    expect(() => new SqliteStore(':memory:', { synchronous: 'FULL' })).not.toThrow();
    expect(() => new SqliteStore(':memory:', { synchronous: undefined })).not.toThrow();
    expect(() => new SqliteStore(':memory:')).not.toThrow();
  });
});

/**
 * A `store` URL that does not parse (a port out of range, a raw #, / or ? in the password) is
 * refused by `openStore` — the config's `store`, ORCHESTRATOR_STORE, a CLI `--store` — saying which
 * URL (masked) and what usually makes one unparsable, as `new PostgresStore(url)` does. It said
 * `got "postgres://<unparsable URL>"`, naming neither.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/index.js';
import { openStore } from '../../src/store/open-store.js';

function refusal(target: string): ValidationError {
  try {
    openStore(target);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error(`openStore took ${target}`);
}

describe('openStore: a PostgreSQL URL that does not parse', () => {
  it.each([
    [
      'a port above 65535',
      'postgres://app:s3cretQ@127.0.0.1:99999/test',
      'postgres://***@127.0.0.1:99999/test',
    ],
    [
      'a port that is no number',
      'postgresql://app:s3cretQ@db.example:abc/test',
      'postgresql://***@db.example:abc/test',
    ],
    [
      'a raw # in the password',
      'postgres://app:s3c#retQ@127.0.0.1:5432/test',
      'postgres://***@127.0.0.1:5432/test',
    ],
  ])('%s: names the URL, masked, and why, as `store`', (_what, target, shown) => {
    const error = refusal(target);
    expect(error.issues).toEqual([
      {
        path: 'store',
        message: `Cannot use the PostgreSQL URL ${shown}: it does not parse as a URL (a port from 0 to 65535; a #, /, ? or @ in the user or password percent-encoded)`,
      },
    ]);
    expect(error.message.startsWith('Invalid config: store: Cannot use the PostgreSQL URL ')).toBe(true);
    expect(error.message).not.toContain('retQ');
  });

  it("refuses a URL with a raw '#' that parses all the same (it took 'p' for the password and 'ss' for the host)", () => {
    const error = refusal('postgres://app:p@ss#w0rdQ@127.0.0.1:5432/test');
    expect(error.issues).toEqual([
      {
        path: 'store',
        message:
          "Cannot use the PostgreSQL URL postgres://***@127.0.0.1:5432/test: it has a raw '#', which ends a URL (the driver ignores what follows): a #, /, ? or @ in the user or password must be percent-encoded (# as %23)",
      },
    ]);
    expect(error.message).not.toContain('w0rdQ');
    // Encoded, it is taken.
    expect(() => openStore('postgres://app:p%40ss%23w0rdQ@127.0.0.1:5432/test')).not.toThrow();
  });
});

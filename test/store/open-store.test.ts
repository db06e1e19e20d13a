import { readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { createOrchestrator } from '../../src/index.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { openStore } from '../../src/store/open-store.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { messageOf } from '../helpers/thrown.js';
import { tempDir } from './sqlite-fixture.js';

describe('openStore', () => {
  it('memory → MemoryStore', () => {
    expect(openStore('memory')).toBeInstanceOf(MemoryStore);
  });

  it('sqlite:<path> → SqliteStore, relative to the working directory', async () => {
    const relativeStore = openStore('sqlite:data/x.sqlite') as SqliteStore;
    expect(relativeStore).toBeInstanceOf(SqliteStore);
    expect(relativeStore.path).toBe(resolve(process.cwd(), 'data/x.sqlite'));
    const { dir, remove } = tempDir();
    try {
      const store = openStore(`sqlite:${join(dir, 'a.sqlite')}`);
      await store.init();
      expect(store.durable).toBe(true);
      await store.close();
    } finally {
      remove();
    }
  });

  it('refuses a SQLite path with U+0000, which no file can have, as bad config (not an outage)', () => {
    // It failed at init with STORE_UNAVAILABLE, as if the disk were down.
    expect(() => openStore('sqlite:data/a\u0000b.sqlite')).toThrow(ValidationError);
    expect(() => openStore('sqlite:data/a\u0000b.sqlite')).toThrow(/store: .*contains U\+0000 at index 6/);
    expect(() => new SqliteStore('a\u0000b')).toThrow(/path: .*contains U\+0000 at index 1/);
  });

  it('refuses a SQLite path with a lone surrogate before any file is made', async () => {
    // better-sqlite3 made a file named by the surrogate's replacement bytes; the store's own file
    // check then found it missing: STORE_UNAVAILABLE, "no such file", and a stray file left.
    const { dir, remove } = tempDir();
    try {
      expect(() => openStore(`sqlite:${dir}/a\udc80b.sqlite`)).toThrow(
        /store: Expected a SQLite file path, got one that contains an unpaired surrogate \(U\+DC80\) at index \d+/,
      );
      expect(() => new SqliteStore(`${dir}/\ud800q.db`)).toThrow(/path: .*an unpaired surrogate \(U\+D800\)/);
      await expect(createOrchestrator({ store: `sqlite:${dir}/a\udc80b.sqlite` })).rejects.toThrow(
        ValidationError,
      );
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      remove();
    }
  });

  it('refuses the URL-like sqlite://data/x.db, which would name /data/x.db, saying what to write', () => {
    expect(() => openStore('sqlite://data/x.db')).toThrow(ValidationError);
    expect(messageOf(() => openStore('sqlite://data/x.db'))).toContain(
      'store: Expected "sqlite:<path>", got "sqlite://data/x.db", whose path //data/… reads as the absolute /data/x.db: write "sqlite:data/x.db" for a path relative to the working directory, or "sqlite:/data/x.db" for the absolute one',
    );
    // Three slashes name an absolute path plainly, as a single one does.
    expect((openStore('sqlite:///var/x.db') as SqliteStore).path).toBe('/var/x.db');
    expect((openStore('sqlite:/var/x.db') as SqliteStore).path).toBe('/var/x.db');
  });

  it('suggests only what it would take: a file for sqlite://data/, and a path for sqlite:// alone', () => {
    // Each suggested "sqlite://orchestrator.sqlite" or "sqlite:data/", both refused in turn.
    expect(messageOf(() => openStore('sqlite://data/'))).toContain(
      'write "sqlite:data/orchestrator.sqlite" for a path relative to the working directory, or "sqlite:/data/orchestrator.sqlite" for the absolute one',
    );
    for (const target of ['sqlite://', 'sqlite:///']) {
      expect(messageOf(() => openStore(target))).toContain(
        `store: Expected "sqlite:<path>" to name a database file, got "${target}", which names none: write "sqlite:<path>", e.g. "sqlite:./data/orchestrator.sqlite"`,
      );
    }
    expect((openStore('sqlite:data/orchestrator.sqlite') as SqliteStore).path).toMatch(
      /\/data\/orchestrator\.sqlite$/,
    );
  });

  it('refuses parameters after the path (sqlite:x.db?mode=ro), which would name a new file with them', () => {
    expect(() => openStore('sqlite:data/x.db?mode=ro')).toThrow(ValidationError);
    expect(messageOf(() => openStore('sqlite:data/x.db?mode=ro&cache=shared'))).toContain(
      'store: Expected "sqlite:<path>", got "sqlite:data/x.db?mode=ro&cache=shared", whose path has parameters (?mode=ro&cache=shared): a SQLite store URL takes none, and a file would be named with them; write "sqlite:data/x.db"',
    );
    // A question mark that starts no parameter is a character of the name.
    expect((openStore('sqlite:data/what?.db') as SqliteStore).path).toMatch(/\/data\/what\?\.db$/);
  });

  it('refuses sqlite:~/x.db, whose ~ no shell expands there, rather than make a folder named ~', () => {
    for (const target of ['sqlite:~/x.db', 'sqlite:~']) {
      expect(() => openStore(target)).toThrow(ValidationError);
    }
    expect(messageOf(() => openStore('sqlite:~/data/x.db'))).toContain(
      `store: Expected "sqlite:<path>", got "sqlite:~/data/x.db", whose ~ is not expanded (no shell does after "sqlite:", nor in an environment file): it would name a folder '~' in the working directory; write the home directory out, "sqlite:${join(homedir(), 'data/x.db')}", or "sqlite:./~/data/x.db" for that folder`,
    );
    // A ~ elsewhere in the name is an ordinary character.
    expect((openStore('sqlite:./~/x.db') as SqliteStore).path).toBe(resolve(process.cwd(), '~/x.db'));
    expect((openStore('sqlite:~x.db') as SqliteStore).path).toBe(resolve(process.cwd(), '~x.db'));
  });

  it('refuses a SQLite path that begins or ends in whitespace, which would name a file or folder with it', () => {
    for (const target of [
      'sqlite:./x.db ',
      'sqlite:./x.db\n',
      'sqlite:x.db\t',
      'sqlite: ./x.db',
      'sqlite:x.db\u00a0',
    ]) {
      expect(() => openStore(target), JSON.stringify(target)).toThrow(ValidationError);
    }
    expect(messageOf(() => openStore('sqlite:./data/x.db '))).toBe(
      'Invalid config: store: Expected "sqlite:<path>", got "sqlite:./data/x.db ", whose path ends in whitespace (U+0020 at index 18): a file or folder would be named with it; remove it, "sqlite:./data/x.db"',
    );
    expect(messageOf(() => openStore('sqlite: ./x.db'))).toContain(
      'whose path begins with whitespace (U+0020 at index 7): a file or folder would be named with it; remove it, "sqlite:./x.db"',
    );
    expect(() => openStore('sqlite: ')).toThrow(ValidationError);
    // A space inside the name is an ordinary character.
    expect((openStore('sqlite:./my data/x y.db') as SqliteStore).path).toBe(
      resolve(process.cwd(), 'my data/x y.db'),
    );
  });

  it('sqlite::memory: → an in-memory SQLite database', async () => {
    const store = openStore('sqlite::memory:') as SqliteStore;
    expect(store.path).toBe(':memory:');
    await store.init();
    expect(store.kind).toBe('sqlite');
    await store.close();
  });

  it('postgres:// and postgresql:// → PostgresStore (no connection until init)', () => {
    for (const url of ['postgres://u@h/db', 'postgresql://u@h/db?schema=s1']) {
      expect(openStore(url)).toBeInstanceOf(PostgresStore);
    }
  });

  it('returns a Store instance as is', () => {
    const store = new MemoryStore();
    expect(openStore(store)).toBe(store);
  });

  it('anything else is a ValidationError naming `store`', () => {
    for (const bad of ['mysql://x', 'sqlite:', '', 'Memory', { update() {} } as unknown as Store]) {
      try {
        openStore(bad);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).issues[0]?.path).toBe('store');
      }
    }
  });
});

describe('openStore: PostgreSQL URLs the driver cannot use', () => {
  // No server is reached: the driver refuses them while reading the URL.
  it.each([
    ['a malformed %-escape in the password', 'postgres://app:%E0%A4@127.0.0.1:5432/test'],
    ['an ssl file that does not exist', 'postgres://app@127.0.0.1:5432/test?sslrootcert=/nonexistent/ca.pem'],
  ])('%s: a ValidationError naming `store`, the password masked', async (_what, target) => {
    const store = openStore(target);
    const error = await store.init().then(
      () => null,
      (e: unknown) => e,
    );
    await store.close().catch(() => undefined);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]?.path).toBe('store');
    expect((error as Error).message).toMatch(/^Invalid config: store: Cannot use the PostgreSQL URL /);
    expect((error as Error).message + JSON.stringify((error as ValidationError).issues)).not.toContain(
      '%E0%A4',
    );
  });
});

describe('openStore: a password given as a URL parameter', () => {
  // Port 1 on loopback: nothing listens, the connection is refused at once.
  it.each([
    [
      'a server that cannot be reached',
      'postgres://app@127.0.0.1:1/test?password=s3cretQ',
      'STORE_UNAVAILABLE',
    ],
    [
      'an ssl file that does not exist',
      'postgres://app@127.0.0.1:1/test?sslrootcert=/nonexistent/ca.pem&password=s3cretQ',
      'VALIDATION',
    ],
    // The driver reads 'password' only: 'Password' is refused at once, as it would be ignored.
    [
      'a parameter the driver does not read',
      'postgres://app@127.0.0.1:1/test?Password=s3cretQ',
      'VALIDATION',
    ],
  ])('%s: the error masks it', async (_what, target, code) => {
    let error: unknown = null;
    try {
      const store = openStore(target);
      error = await store.init().then(
        () => null,
        (e: unknown) => e,
      );
      await store.close().catch(() => undefined);
    } catch (refused) {
      error = refused;
    }
    expect(error).toMatchObject({ code });
    const shown = (error as Error).message + JSON.stringify((error as ValidationError).issues ?? []);
    expect(shown).not.toContain('s3cretQ');
    expect(shown).toMatch(/password=\*\*\*/i);
  });
});

describe('PostgresStore: a password with a raw #, / or ? before the @', () => {
  it.each(['s3c#retQ', 's3c/retQ', 's3c?retQ'])('%s: the error names the URL masked', (password) => {
    // It said '<unparsable PostgreSQL URL>', naming nothing; now the URL, masked as everywhere,
    // and from the constructor (it was from init()).
    const shown = messageOf(() => new PostgresStore(`postgres://app:${password}@127.0.0.1:1/test`));
    expect(shown).toMatch(/^Invalid PostgresStore arguments: url: Cannot use the PostgreSQL URL /);
    expect(shown).toContain('postgres://***@127.0.0.1:1/test');
    expect(shown).not.toContain('retQ');
  });
});

describe('openStore: URL parameters the driver would take otherwise than meant', () => {
  it.each([
    ['schema given twice', 'postgres://u:pw@h/db?schema=a&schema=b', /'schema' is given more than once/],
    [
      'sslmode given twice',
      'postgres://u:pw@h/db?sslmode=disable&sslmode=require',
      /'sslmode' is given more than once/,
    ],
    [
      'an sslmode the driver does not know',
      'postgres://u:pw@h/db?sslmode=disabled',
      /sslmode "disabled" is not one of disable, prefer/,
    ],
    // The driver ignores what it does not read: the tables went to the default schema.
    [
      'a misspelt parameter',
      'postgres://u:pw@h/db?shema=orders',
      /the parameter "shema" is not one the driver reads/,
    ],
    [
      'a libpq parameter the driver does not support',
      'postgres://u:pw@h/db?connect_timeout=10',
      /the parameter "connect_timeout" is not one the driver reads/,
    ],
  ])(
    '%s: a ValidationError naming `store` (PostgresStore: `url`), before any connection',
    (_what, target, message) => {
      // The config's key, or the constructor's argument, as its other checks of the URL name it.
      for (const [open, heading, path] of [
        [() => openStore(target), 'Invalid config', 'store'],
        [() => new PostgresStore(target), 'Invalid PostgresStore arguments', 'url'],
      ] as const) {
        try {
          open();
          expect.unreachable();
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
          expect((error as ValidationError).issues[0]?.path).toBe(path);
          expect((error as Error).message.startsWith(`${heading}: ${path}: `)).toBe(true);
          expect((error as Error).message).toMatch(message);
          expect((error as Error).message).not.toContain(':pw@');
        }
      }
    },
  );

  it('refuses ?schema= in a URL given to PostgresStore itself, which takes it as an option', () => {
    // It was ignored: the store opened the default schema 'orchestrator'.
    expect(() => new PostgresStore('postgres://u@h/db?schema=orders')).toThrow(
      /the parameter 'schema' is not read here: pass the schema as the option \{ schema \}/,
    );
    expect(new PostgresStore('postgres://u@h/db', { schema: 'orders' }).schema).toBe('orders');
  });

  it('refuses a ?schema= that is no schema name, saying it is the parameter', () => {
    // It said 'Invalid config: store: Expected a PostgreSQL schema name …', not where in the URL.
    expect(messageOf(() => openStore('postgres://u@h/db?schema=a%20b'))).toBe(
      `Invalid config: store: the parameter 'schema': Expected a PostgreSQL schema name (letters, digits, _; at most 63), got "a b"`,
    );
  });

  it('takes the parameters the driver reads', () => {
    const url = 'postgres://u@h/db?schema=s&application_name=app&statement_timeout=5000&options=-c%20x%3D1';
    expect(openStore(url)).toBeInstanceOf(PostgresStore);
  });

  it('takes the sslmodes the driver knows', () => {
    for (const mode of ['disable', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify']) {
      expect(openStore(`postgres://u@h/db?sslmode=${mode}&schema=s`)).toBeInstanceOf(PostgresStore);
    }
  });
});

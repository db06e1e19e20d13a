/**
 * A SQLite path that names something other than a regular file or a directory (a FIFO, a
 * socket, a device such as /dev/null) is refused at open naming the path and what it is. SQLite
 * failed with a bare "disk I/O error" (as if the disk were failing), and on /dev/null it first
 * made a `/dev/null-journal` file beside the device.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir } from './sqlite-fixture.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function newDir(): string {
  const { dir, remove } = tempDir();
  cleanups.push(remove);
  return dir;
}

async function initError(path: string): Promise<unknown> {
  const store = new SqliteStore(path);
  cleanups.push(() => store.close());
  return store.init().then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('SQLite store on a path that is no regular file', () => {
  it('a FIFO is refused, naming it, and nothing is made beside it', async () => {
    const dir = newDir();
    const path = join(dir, 'pipe.sqlite');
    execFileSync('mkfifo', [path]);
    expect(await initError(path)).toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: `Cannot open SQLite store '${path}': it is a FIFO, not a regular file; name a database file`,
    });
    expect(readdirSync(dir)).toEqual(['pipe.sqlite']);
  });

  it('a socket is refused, naming it', async () => {
    const dir = newDir();
    const path = join(dir, 'sock.sqlite');
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(path, resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    expect(await initError(path)).toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: `Cannot open SQLite store '${path}': it is a socket, not a regular file; name a database file`,
    });
  });
});

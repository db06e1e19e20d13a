/**
 * A real PgBouncer (Debian's `pgbouncer` package, which `.ci/run` installs) in front of the test
 * server, on a free loopback port, with two databases: `tx` in transaction mode over ONE server
 * connection, and `session` in session mode. Missing, it fails the tests that need it: they are
 * never skipped.
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PG_URL } from './pg-fixture.js';

const BINARY = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((path) => existsSync(path));

/** A port free on 127.0.0.1 a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Bouncer {
  /** The URL of database `db` (`tx` or `session`) through the bouncer. */
  url(db: 'tx' | 'session'): string;
  stop(): Promise<void>;
}

/** Starts PgBouncer and waits until it answers (at most 15 s). */
export async function startBouncer(): Promise<Bouncer> {
  if (!BINARY) {
    throw new Error('pgbouncer is not installed (apt-get install pgbouncer; .ci/run installs it)');
  }
  const server = new URL(PG_URL);
  const target = `host=${server.hostname} port=${server.port || 5432} dbname=${server.pathname.slice(1)}`;
  const user = decodeURIComponent(server.username || 'postgres');
  const dir = mkdtempSync(join(tmpdir(), 'pgbouncer-'));
  // PgBouncer refuses to run as root; as root it is started as the `postgres` user, who reads these.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const config = join(dir, 'pgbouncer.ini');
  writeFileSync(
    config,
    [
      '[databases]',
      `tx = ${target} pool_mode=transaction pool_size=1`,
      `session = ${target} pool_mode=session pool_size=20`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(dir, 'users.txt')}`,
      'max_client_conn = 500',
      // pg sends it at every connect; PgBouncer refuses any startup parameter it does not know.
      'ignore_startup_parameters = extra_float_digits',
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  writeFileSync(join(dir, 'users.txt'), `"${user}" ""\n`, { mode: 0o644 });
  const asRoot = process.getuid?.() === 0;
  const child: ChildProcess = spawn(BINARY, [...(asRoot ? ['-u', 'postgres'] : []), config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  const url = (db: 'tx' | 'session') => `postgres://${encodeURIComponent(user)}@127.0.0.1:${port}/${db}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    const client = new pg.Client({ connectionString: url('session'), connectionTimeoutMillis: 1_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return { url, stop };
    } catch (error) {
      await client.end().catch(() => undefined);
      if (child.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`PgBouncer did not start: ${(error as Error).message}\n${log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

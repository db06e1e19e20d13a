/**
 * A PostgreSQL server that refuses the password (SQLSTATE 28P01). The server on this machine
 * trusts every login on loopback, so the refusal comes from a listener that speaks the protocol's
 * first exchange as a server asking for a password does: it asks for the password in clear text,
 * reads it, and answers with the error a refused password gets.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createOrchestrator, PostgresStore } from '../../src/index.js';
import { dropSchema, freshSchema } from './pg-fixture.js';
import { forwardToTestServer } from './pg-forward.js';

/** One protocol message: its type byte, its length (itself included) and `body`. */
function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

/** The server's ErrorResponse for a refused password of `user`. */
function passwordRefused(user: string): Buffer {
  const fields: Array<[string, string]> = [
    ['S', 'FATAL'],
    ['V', 'FATAL'],
    ['C', '28P01'],
    ['M', `password authentication failed for user "${user}"`],
  ];
  const body = Buffer.concat([
    ...fields.map(([code, text]) => Buffer.from(`${code}${text}\0`, 'utf8')),
    Buffer.from([0]),
  ]);
  return message('E', body);
}

async function initError(url: string): Promise<Error & { code?: string }> {
  return (await new PostgresStore(url).init().catch((e: unknown) => e)) as Error & { code?: string };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((done) => s.close(done));
});

/** What the refusing listeners saw: the passwords sent, and how many logins asked for one. */
interface Refusals {
  passwords: string[];
  logins: number;
}

/**
 * Answers the login on `socket` as a server that asks for the password in clear text and refuses
 * it; records what was sent in `seen`.
 */
function refuseLogin(socket: Socket, seen: Refusals): void {
  let startup = true;
  let user = '';
  let buffered = Buffer.alloc(0);
  socket.on('error', () => undefined);
  socket.on('data', (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    if (startup) {
      if (buffered.length < 4 || buffered.length < buffered.readInt32BE(0)) return;
      const length = buffered.readInt32BE(0);
      // Protocol version, then key\0value\0 pairs.
      const pairs = buffered.subarray(8, length).toString('utf8').split('\0');
      user = pairs[pairs.indexOf('user') + 1] ?? '';
      buffered = buffered.subarray(length);
      startup = false;
      seen.logins++;
      const ask = Buffer.alloc(4);
      ask.writeInt32BE(3, 0); // AuthenticationCleartextPassword
      socket.write(message('R', ask));
      return;
    }
    if (buffered.length < 5 || buffered.length < 1 + buffered.readInt32BE(1)) return;
    seen.passwords.push(buffered.subarray(5, buffered.readInt32BE(1)).toString('utf8').replace(/\0$/, ''));
    socket.end(passwordRefused(user));
  });
}

/** Listens on a loopback port with `onSocket`; the listener is closed after the test. */
async function listen(onSocket: (socket: Socket) => void): Promise<number> {
  const server = createServer(onSocket);
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A loopback listener that refuses every login's password; `passwords` gets what was sent. */
async function refusingServer(): Promise<{ port: number; passwords: string[]; logins: () => number }> {
  const seen: Refusals = { passwords: [], logins: 0 };
  const port = await listen((socket) => refuseLogin(socket, seen));
  return { port, passwords: seen.passwords, logins: () => seen.logins };
}

/**
 * A loopback listener that passes each connection on to the test server while `refusing` is
 * false, and refuses the password of those that come while it is true (a password changed on the
 * server while the store runs).
 */
async function changingServer(): Promise<{ port: number; seen: Refusals; refuse: (on: boolean) => void }> {
  const seen: Refusals = { passwords: [], logins: 0 };
  let refusing = false;
  const port = await listen((socket) => {
    if (refusing) refuseLogin(socket, seen);
    else forwardToTestServer(socket);
  });
  return {
    port,
    seen,
    refuse: (on) => {
      refusing = on;
    },
  };
}

describe('a PostgreSQL server that refuses the password', () => {
  it('fails the store with STORE_UNAVAILABLE: the password the URL gives was refused (masked)', async () => {
    const { port, passwords } = await refusingServer();
    const url = `postgres://me:s3cret@127.0.0.1:${port}/test`;
    const error = await initError(url);
    expect(passwords).toEqual(['s3cret']);
    expect(error.code).toBe('STORE_UNAVAILABLE');
    expect(error.message).toBe(
      `Cannot open PostgreSQL store at postgres://***@127.0.0.1:${port}/test: the server refused the password the URL gives (server: password authentication failed for user "me", SQLSTATE 28P01)`,
    );
    // A store on a schema of its own is named with it (the default one needs no naming).
    const onSchema = (await new PostgresStore(url, { schema: 'billing' })
      .init()
      .catch((e: unknown) => e)) as Error;
    expect(onSchema.message).toMatch(
      new RegExp(
        `^Cannot open PostgreSQL store at postgres://\\*\\*\\*@127\\.0\\.0\\.1:${port}/test\\?schema=billing: the server refused`,
      ),
    );
  });

  it('says where to put the password when the URL gives none', async () => {
    const { port } = await refusingServer();
    const saved = process.env.PGPASSWORD;
    delete process.env.PGPASSWORD;
    try {
      const url = `postgres://me@127.0.0.1:${port}/test`;
      const error = await initError(url);
      expect(error.code).toBe('STORE_UNAVAILABLE');
      expect(error.message).toBe(
        `Cannot open PostgreSQL store at postgres://***@127.0.0.1:${port}/test: the URL gives no password, and the server refused the one the driver sent (from PGPASSWORD or ~/.pgpass, else none): put it in the URL (postgres://user:password@host/db) or set PGPASSWORD (server: password authentication failed for user "me", SQLSTATE 28P01)`,
      );
    } finally {
      if (saved !== undefined) process.env.PGPASSWORD = saved;
    }
  });

  it('makes createOrchestrator reject at once, without trying again and again', async () => {
    const { port, logins } = await refusingServer();
    const started = Date.now();
    const error = (await createOrchestrator({ store: `postgres://me:s3cret@127.0.0.1:${port}/test` }).catch(
      (e: unknown) => e,
    )) as Error & { code?: string };
    expect(error.code).toBe('STORE_UNAVAILABLE');
    expect(error.message).toContain('password authentication failed for user "me"');
    expect(error.message).not.toContain('s3cret');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(logins()).toBeLessThanOrEqual(2);
  });

  it('fails the operations that needed a new connection once the password changed; the store goes on after', async () => {
    const { port, seen, refuse } = await changingServer();
    const schema = freshSchema();
    const store = new PostgresStore(`postgres://postgres:s3cret@127.0.0.1:${port}/test`, {
      schema,
      poolSize: 4,
    });
    try {
      await store.init();
      refuse(true);
      // More reads at once than the pool holds connections: some need a connection of their own.
      const reads = await Promise.allSettled(Array.from({ length: 8 }, () => store.getExecution('nope')));
      const refused = reads.flatMap((r) =>
        r.status === 'rejected' ? [r.reason as Error & { code?: string }] : [],
      );
      expect(seen.logins).toBeGreaterThan(0);
      expect(seen.passwords.every((p) => p === 's3cret')).toBe(true);
      expect(refused.length).toBeGreaterThan(0);
      for (const error of refused) {
        expect(error.code).toBe('STORE_UNAVAILABLE');
        expect(error.message).toBe(
          // Named with its schema: stores on other schemas of the database read alike without it.
          `PostgreSQL store at postgres://***@127.0.0.1:${port}/test?schema=${schema}: the server refused the password the URL gives (server: password authentication failed for user "postgres", SQLSTATE 28P01)`,
        );
      }
      // The password accepted again: the store works on, with new connections too.
      refuse(false);
      const again = await Promise.all(Array.from({ length: 8 }, () => store.getExecution('nope')));
      expect(again).toEqual(Array.from({ length: 8 }, () => null));
    } finally {
      await store.close();
      await dropSchema(schema);
    }
  });
});

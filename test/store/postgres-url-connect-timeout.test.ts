/**
 * `?connectionTimeoutMillis=` in a store URL was accepted as a parameter the driver reads, but
 * `pg` 8 reads it only from a client's config object, never from its connection string: a store
 * URL with `?connectionTimeoutMillis=100` still waited the store's own connect timeout (up to
 * 10 s) on a server that accepts and never answers. It is refused, pointing to `queryTimeoutMs`
 * (which bounds a connect, at most 10 s).
 */
import net from 'node:net';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/index.js';
import { openStore } from '../../src/store/open-store.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { messageOf } from '../helpers/thrown.js';

/** A loopback TCP server that accepts connections and never answers (nor closes them). */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

let closeServer: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closeServer?.();
  closeServer = undefined;
});

describe('?connectionTimeoutMillis= in a store URL', () => {
  it('does nothing in the driver: a connect given it in the URL still waits', async () => {
    const server = await silentServer();
    closeServer = server.close;
    const base = `postgres://u@127.0.0.1:${server.port}/db`;
    const fromUrl = new pg.Client({ connectionString: `${base}?connectionTimeoutMillis=20` });
    const fromConfig = new pg.Client({ connectionString: base, connectionTimeoutMillis: 200 });
    for (const client of [fromUrl, fromConfig]) client.on('error', () => undefined);
    let urlOutcome = 'pending';
    const urlConnect = fromUrl.connect().then(
      () => {
        urlOutcome = 'connected';
      },
      (error: Error) => {
        urlOutcome = error.message;
      },
    );
    // The option in the config fails its connect after 200 ms; the URL's 20 ms never fired.
    await expect(fromConfig.connect()).rejects.toThrow('timeout expired');
    expect(urlOutcome).toBe('pending');
    await server.close();
    closeServer = undefined;
    await urlConnect;
  });

  it('is refused by openStore and by the constructor, naming it and what to use instead', () => {
    let error: unknown;
    try {
      openStore('postgres://u:pw@h/db?connectionTimeoutMillis=100');
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/^Invalid config: store: Cannot use the PostgreSQL URL /);
    expect((error as Error).message).toContain(
      "the parameter 'connectionTimeoutMillis' is ignored by the driver in a URL (it reads it only from its config): a connect waits as long as queryTimeoutMs, at most 10 s: use ?queryTimeoutMs=",
    );
    expect(messageOf(() => new PostgresStore('postgres://u@h/db?connectionTimeoutMillis=100'))).toContain(
      "the parameter 'connectionTimeoutMillis' is ignored by the driver in a URL (it reads it only from its config): a connect waits as long as queryTimeoutMs, at most 10 s: pass the option { queryTimeoutMs }",
    );
  });
});

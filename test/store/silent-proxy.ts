/**
 * A TCP proxy to the test PostgreSQL server that can silently stop forwarding: then nothing
 * passes, not even a connection's end (a FIN), as in a partition, or a NAT or firewall that
 * dropped an idle connection.
 * @module
 */
import net from 'node:net';
import { PG_URL } from './pg-fixture.js';

/** A proxy made by {@link silentProxy}. */
export interface SilentProxy {
  /** Connection string through the proxy. */
  readonly url: string;
  /** Stops forwarding on every connection, open and future. */
  silence(): void;
  /** Goes silent as a client sends `text` (which does not reach the server). */
  silenceOn(text: string): void;
  /** Stops forwarding on the connections open now; later ones pass. */
  freeze(): void;
  /** The proxy's own open sockets (both ends of each connection it carries). */
  readonly sockets: number;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 in front of the test server. */
export async function silentProxy(): Promise<SilentProxy> {
  const target = new URL(PG_URL);
  let silent = false;
  let silenceOn: string | null = null;
  const sockets = new Set<net.Socket>();
  const frozen = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    const upstream = net.connect({
      port: Number(target.port || 5432),
      host: target.hostname,
      allowHalfOpen: true,
    });
    const quiet = () => silent || frozen.has(client);
    sockets.add(client);
    sockets.add(upstream);
    client.on('close', () => sockets.delete(client));
    upstream.on('close', () => sockets.delete(upstream));
    client.on('data', (d: Buffer) => {
      if (silenceOn !== null && d.includes(silenceOn)) silent = true;
      if (!quiet()) upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (!quiet()) client.write(d);
    });
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
    client.on('end', () => {
      if (!quiet()) upstream.end();
    });
    upstream.on('end', () => {
      if (!quiet()) client.end();
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(PG_URL);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as net.AddressInfo).port);
  return {
    url: url.toString(),
    silence: () => {
      silent = true;
    },
    silenceOn: (text: string) => {
      silenceOn = text;
    },
    freeze: () => {
      for (const socket of sockets) frozen.add(socket);
    },
    get sockets() {
      return sockets.size;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

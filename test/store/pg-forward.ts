/**
 * Passing a client's connection on to the test PostgreSQL server, for the loopback proxies the
 * tests put in front of it (one that goes down, one that starts refusing logins).
 * @module
 */
import net from 'node:net';
import { PG_URL } from './pg-fixture.js';

/**
 * Connects to the test server and pipes `client` to it and back; each side's close destroys the
 * other, and neither side's errors are thrown. Returns the connection to the server.
 */
export function forwardToTestServer(client: net.Socket): net.Socket {
  const target = new URL(PG_URL);
  const upstream = net.connect({ port: Number(target.port || 5432), host: target.hostname });
  client.on('error', () => undefined);
  upstream.on('error', () => undefined);
  client.pipe(upstream).pipe(client);
  client.on('close', () => upstream.destroy());
  upstream.on('close', () => client.destroy());
  return upstream;
}

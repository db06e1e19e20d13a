/**
 * Servers on loopback addresses for the `http` action's address tests: 127.0.0.1, 127.0.0.2, ...
 * are all loopback on Linux, so servers on several of them at one port make one URL reach
 * whichever the action connects to. Each server and its connections close when the test ends.
 * @module
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { onTestFinished } from 'vitest';
import type { ResolvedAddress } from '../../../src/actions/ssrf-guard.js';

/** A resolver answering `list`, in that order. */
export function addresses(...list: string[]): () => Promise<ResolvedAddress[]> {
  return async () => list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
}

/** A server and what reached it: TCP connections and HTTP requests. */
export interface Listener {
  port: number;
  connections: number;
  requests: number;
}

async function listen(server: Server | HttpServer, host: string, port = 0): Promise<number> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  onTestFinished(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** An HTTP server on `host` answering every request with `status` and a JSON body naming `host`. */
export async function httpOn(host: string, port = 0, status = 200): Promise<Listener> {
  const seen: Listener = { port: 0, connections: 0, requests: 0 };
  const server = createHttpServer((_req, res) => {
    seen.requests++;
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ served: host }));
  });
  server.on('connection', () => seen.connections++);
  seen.port = await listen(server, host, port);
  return seen;
}

/** A TCP server on `host` that reads the request, then `behave`s on the socket. */
export async function tcpOn(host: string, behave: (socket: Socket) => void, port = 0): Promise<Listener> {
  const seen: Listener = { port: 0, connections: 0, requests: 0 };
  const server = createTcpServer((socket) => {
    seen.connections++;
    socket.once('data', () => {
      seen.requests++;
      behave(socket);
    });
  });
  seen.port = await listen(server, host, port);
  return seen;
}

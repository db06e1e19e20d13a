/**
 * A throwaway HTTP (or HTTPS) server on 127.0.0.1 for the `http` action tests: routes by path,
 * records every request it receives.
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/** A request the server received. */
export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Route = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** A running server; `close()` it after the test. */
export interface LocalServer {
  port: number;
  /** `http://127.0.0.1:<port>` (`https:` with `tls`) */
  base: string;
  received: Received[];
  close(): Promise<void>;
}

/** Starts a server with the given routes (unknown paths answer 404); HTTPS with `tls`. */
export async function startServer(
  routes: Record<string, Route>,
  tls?: { key: string; cert: string },
): Promise<LocalServer> {
  const received: Received[] = [];
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const route = routes[(req.url ?? '').split('?')[0] ?? ''];
      if (route) route(req, res, body);
      else res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"nope"}');
    });
  };
  const server = tls ? createHttpsServer(tls, handle) : createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    base: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers JSON. */
export function json(status: number, value: unknown, headers: Record<string, string> = {}): Route {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(value));
  };
}

/** Answers a redirect. */
export function redirect(status: number, location: string | (() => string)): Route {
  return (_req, res) => {
    res.writeHead(status, { location: typeof location === 'string' ? location : location() }).end();
  };
}

/**
 * One HTTP exchange over `node:http`/`node:https`, connected to a pre-vetted IP address: the
 * socket's `lookup` returns that address whatever name is asked, so the host cannot be
 * re-resolved (DNS rebinding) between the SSRF check and the connection. The response body is
 * read up to a size cap. No redirects are followed here (the action does that, re-vetting each hop).
 * A host with several vetted addresses is tried address by address ({@link sendToAny}), moving on
 * only when a connection could not be made at all, so a request is never sent twice.
 * @module
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { NonRetryableError, OrchestratorError } from '../errors.js';
import type { ResolvedAddress } from './ssrf-guard.js';

/** What is sent. */
export interface RawRequest {
  method: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/** What came back. */
export interface RawResponse {
  status: number;
  statusText: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/**
 * Connect errors after which another address of the host may be tried: the TCP connection was
 * never established, so not a byte of the request left.
 */
const CONNECT_FAILURES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'EAFNOSUPPORT',
  'ETIMEDOUT',
]);

/**
 * The connection to one address could not be made (refused, unreachable, no such local
 * address): nothing was sent. `code` is the socket's error code; `cause` the socket's error.
 */
export class ConnectError extends Error {
  /** The socket's error code (`ECONNREFUSED`, ...). */
  readonly code: string;
  /** The address that could not be reached. */
  readonly address: string;
  constructor(code: string, address: string, cause: unknown) {
    super(`Could not connect to ${address}: ${code}`, { cause });
    this.name = 'ConnectError';
    this.code = code;
    this.address = address;
  }
}

/** The error as a {@link ConnectError} when it is a failed connect on a socket that never connected. */
function asConnectError(error: unknown, connected: boolean, address: string): unknown {
  if (connected || !(error instanceof Error)) return error;
  const { code, syscall } = error as { code?: unknown; syscall?: unknown };
  if (syscall !== 'connect' || typeof code !== 'string' || !CONNECT_FAILURES.has(code)) return error;
  return new ConnectError(code, address, error);
}

/** A `lookup` that always answers with the vetted address. */
export function pinnedLookup(pinned: ResolvedAddress): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: pinned.address, family: pinned.family }]);
    else callback(null, pinned.address, pinned.family);
  }) as LookupFunction;
}

/** The URL without credentials and query, for messages and logs. */
export function displayUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/**
 * Sends one request to `url`, connecting to `pinned`. Rejects with the signal's reason when it
 * aborts, with a `NonRetryableError` (`HTTP_RESPONSE_TOO_LARGE`) past `maxBytes`, with a
 * {@link ConnectError} when the connection could not be made (nothing was sent), and with the
 * socket's error otherwise (also when the connection closes before any response).
 */
export function sendRequest(
  url: URL,
  pinned: ResolvedAddress,
  request: RawRequest,
  signal: AbortSignal,
  maxBytes: number,
): Promise<RawResponse> {
  return new Promise<RawResponse>((resolve, reject) => {
    let settled = false;
    const finish = (error: unknown, response?: RawResponse) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (response) resolve(response);
      else reject(error);
    };
    const onAbort = () => {
      req.destroy();
      finish(signal.reason);
    };
    const credentials =
      url.username || url.password
        ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
        : undefined;
    let responded = false;
    const transport = url.protocol === 'https:' ? https : http;
    const req = transport.request(
      {
        protocol: url.protocol,
        hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: request.method,
        headers: request.headers,
        ...(credentials !== undefined && !('authorization' in request.headers) ? { auth: credentials } : {}),
        agent: false,
        lookup: pinnedLookup(pinned),
      },
      (res) => {
        responded = true;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            req.destroy();
            finish(
              new NonRetryableError(`Response from ${displayUrl(url)} is larger than ${maxBytes} bytes`, {
                code: 'HTTP_RESPONSE_TOO_LARGE',
              }),
            );
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () =>
          finish(null, {
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? '',
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', (error) => finish(error));
        res.on('aborted', () => finish(new Error('The response was cut off')));
      },
    );
    let connected = false;
    req.on('socket', (socket) => socket.once('connect', () => (connected = true)));
    req.on('error', (error) => finish(asConnectError(error, connected, pinned.address)));
    // A socket closed with no response and no error (Node's answer to an unrequested
    // 101 Switching Protocols) would otherwise leave the call waiting for its timeout.
    req.on('close', () => {
      if (!responded) finish(new Error('The connection closed before a response'));
    });
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    req.end(request.body);
  });
}

/**
 * Sends the request to the first of `addresses` (all vetted, in the resolver's order) that
 * accepts the connection. The next address is tried only after a {@link ConnectError}, when
 * nothing was sent; any other failure (the connection cut after the request went out, the
 * signal) is the call's, and an HTTP status is an answer. `signal` bounds the whole attempt.
 * @throws OrchestratorError `HTTP_NETWORK` naming the host, the addresses tried and the last
 * error when there were several and none could be connected to; with one, its own error.
 */
export async function sendToAny(
  url: URL,
  addresses: readonly ResolvedAddress[],
  request: RawRequest,
  signal: AbortSignal,
  maxBytes: number,
): Promise<RawResponse> {
  let last: ConnectError | undefined;
  for (const address of addresses) {
    try {
      return await sendRequest(url, address, request, signal, maxBytes);
    } catch (error) {
      if (!(error instanceof ConnectError) || signal.aborted) throw error;
      last = error;
    }
  }
  if (!last) throw new Error(`No address to connect to for ${displayUrl(url)}`);
  if (addresses.length === 1) throw last;
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  throw new OrchestratorError(
    'HTTP_NETWORK',
    `${request.method} ${displayUrl(url)} failed: could not connect to '${host}' at any of its ${addresses.length} addresses (${addresses.map((a) => a.address).join(', ')}); last error: ${last.code}`,
    { cause: last },
  );
}

/**
 * One HTTP exchange over `node:http`/`node:https` on a socket already connected to a pre-vetted
 * IP address (no DNS lookup happens after the SSRF check, so DNS rebinding cannot switch the
 * address). The response body is read up to a size cap. No redirects are followed here (the
 * action does that, re-vetting each hop). A host with several vetted addresses has its connects
 * raced ({@link sendToAny}, `connect-race.ts`); the request is written on the winner only, so it
 * is never sent twice.
 * @module
 */
import http from 'node:http';
import https from 'node:https';
import { isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { echo } from '../echo.js';
import { NonRetryableError, OrchestratorError } from '../errors.js';
import { ConnectError, connectFirst, type RaceOptions } from './connect-race.js';
import { displayUrl } from './display-url.js';
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
  /**
   * The body; of an error status (4xx, 5xx) only its first {@link ERROR_BODY_READ_LIMIT} bytes
   * (or up to the cap when lower): it is used for the error's message only.
   */
  body: Buffer;
  /** Set when `body` is the start of a longer one (an error status's, see `body`). */
  bodyCut?: true;
}

/**
 * The most bytes of an error status's body read: enough for the excerpt the step's error shows
 * (500 characters of up to 4 bytes each) and for a secret the excerpt must not show that starts
 * in it and runs on. The rest is not read: an error page of any size costs no more memory or time.
 */
export const ERROR_BODY_READ_LIMIT = 8192;

/** Whether a response's body is left unread (its head is all that is used), by its status. */
export type UnreadBody = (status: number) => boolean;

/** The URL's host without IPv6 brackets. */
function bareHost(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/**
 * The request's headers with its body's length. Node frames a body itself only for the methods
 * it expects one with (POST, PUT, PATCH): the body of a DELETE, GET, OPTIONS or HEAD went out
 * after the headers unannounced, and the server read it as the start of a next request.
 */
function framed(request: RawRequest): Record<string, string> {
  if (request.body === undefined) return request.headers;
  return { ...request.headers, 'content-length': String(request.body.length) };
}

/**
 * Sends one request to `url` on `socket`, a TCP connection to one of its vetted addresses (TLS is
 * set up on it for `https:`, the certificate checked against the URL's host). Rejects with the
 * signal's reason when it aborts, with a `NonRetryableError` (`HTTP_RESPONSE_TOO_LARGE`) past
 * `maxBytes` (an error status resolves instead, its body cut at {@link ERROR_BODY_READ_LIMIT} or
 * `maxBytes`, whichever is lower, or where it stood when the signal aborted or the connection was
 * cut: the status is the answer), and with the socket's error otherwise (also when the
 * connection closes before any response). A response `unread` accepts (a redirect to follow) resolves on its head, with an
 * empty body: the rest is not read. The socket is destroyed when the exchange ends either way.
 */
export function sendRequest(
  url: URL,
  socket: Socket,
  request: RawRequest,
  signal: AbortSignal,
  maxBytes: number,
  unread: UnreadBody = () => false,
): Promise<RawResponse> {
  return new Promise<RawResponse>((resolve, reject) => {
    let settled = false;
    const finish = (error: unknown, response?: RawResponse) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      // Without an agent the connection serves this one request; a failed one is cut.
      stream.destroy();
      socket.destroy();
      if (response) resolve(response);
      else reject(error);
    };
    // An error status's answer so far: once the head of a 4xx or 5xx is in, it is the answer, and
    // a body that stalls past the timeout or is cut off only shortens its excerpt (the request is
    // not sent again for a timeout that a 4xx would not have been retried for).
    let failedSoFar: (() => RawResponse) | undefined;
    const onAbort = () => (failedSoFar ? finish(null, failedSoFar()) : finish(signal.reason));
    const host = bareHost(url);
    const secure = url.protocol === 'https:';
    // No SNI for an IP address (as node:https does), and none with a fully qualified name's
    // trailing dot (RFC 6066 §3: `example.com.` is sent as `example.com`); the certificate is
    // checked against `host`.
    const stream = secure
      ? tlsConnect({ socket, host, ...(isIP(host) ? {} : { servername: host.replace(/\.$/, '') }) })
      : socket;
    // Before the request takes the socket over (and after, for TLS's inner socket), an error on
    // it is the call's, not an unhandled one.
    stream.on('error', (error) => finish(error));
    if (stream !== socket) socket.on('error', (error) => finish(error));
    const credentials =
      url.username || url.password
        ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
        : undefined;
    let responded = false;
    const transport = secure ? https : http;
    const req = transport.request(
      {
        protocol: url.protocol,
        hostname: host,
        port: url.port || undefined,
        defaultPort: secure ? 443 : 80,
        path: `${url.pathname}${url.search}`,
        method: request.method,
        headers: framed(request),
        ...(credentials !== undefined && !('authorization' in request.headers) ? { auth: credentials } : {}),
        createConnection: () => stream,
      },
      (res) => {
        responded = true;
        const chunks: Buffer[] = [];
        let size = 0;
        const status = res.statusCode ?? 0;
        const answer = (cut = false): RawResponse => ({
          status,
          statusText: res.statusMessage ?? '',
          headers: res.headers,
          body: Buffer.concat(chunks),
          ...(cut ? { bodyCut: true as const } : {}),
        });
        // The connection is closed (by `finish`) rather than the unused body read to its end.
        if (unread(status)) {
          finish(null, answer());
          return;
        }
        const failed = status >= 400;
        if (failed) failedSoFar = () => answer(true);
        const limit = failed ? Math.min(maxBytes, ERROR_BODY_READ_LIMIT) : maxBytes;
        res.on('data', (chunk: Buffer) => {
          // An error status is the answer whatever its page: a 503's large page is no reason to
          // fail for good (its start is kept for the message, the rest is not read).
          if (failed && size + chunk.length > limit) {
            chunks.push(chunk.subarray(0, limit - size));
            finish(null, answer(true));
            return;
          }
          size += chunk.length;
          if (size > maxBytes) {
            finish(
              new NonRetryableError(`Response from ${displayUrl(url)} is larger than ${maxBytes} bytes`, {
                code: 'HTTP_RESPONSE_TOO_LARGE',
              }),
            );
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => finish(null, answer()));
        res.on('error', (error) => (failed ? finish(null, answer(true)) : finish(error)));
        res.on('aborted', () =>
          failed ? finish(null, answer(true)) : finish(new Error('The response was cut off')),
        );
      },
    );
    req.on('error', (error) => finish(error));
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
 * Sends the request to the first of `addresses` (all vetted, in the resolver's order) to accept
 * a connection: their connects are raced ({@link connectFirst}) and the request is written on the
 * winner alone; a failure after that (the connection cut after the request went out, the
 * signal) is the call's, and an HTTP status is an answer. `signal` bounds the whole attempt.
 * @throws OrchestratorError `HTTP_NETWORK` naming the host, the addresses tried and the last
 * error when there were several and none could be connected to; with one, its {@link ConnectError}.
 * @throws ConnectAborted when the signal aborted before any address connected.
 */
export async function sendToAny(
  url: URL,
  addresses: readonly ResolvedAddress[],
  request: RawRequest,
  signal: AbortSignal,
  maxBytes: number,
  race: RaceOptions,
  unread?: UnreadBody,
): Promise<RawResponse> {
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  let connected: Awaited<ReturnType<typeof connectFirst>>;
  try {
    connected = await connectFirst(bareHost(url), addresses, port, signal, race);
  } catch (error) {
    if (!(error instanceof ConnectError) || addresses.length === 1) throw error;
    throw new OrchestratorError(
      'HTTP_NETWORK',
      `${request.method} ${displayUrl(url)} failed: could not connect to ${echo(bareHost(url))} at any of its ${addresses.length} addresses (${addresses.map((a) => a.address).join(', ')}); last error: ${error.code}`,
      { cause: error },
    );
  }
  return sendRequest(url, connected.socket, request, signal, maxBytes, unread);
}

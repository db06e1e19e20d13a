/**
 * One HTTP exchange over `node:http`/`node:https`, connected to a pre-vetted IP address: the
 * socket's `lookup` returns that address whatever name is asked, so the host cannot be
 * re-resolved (DNS rebinding) between the SSRF check and the connection. The response body is
 * read up to a size cap. No redirects are followed here (the action does that, re-vetting each hop).
 * @module
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { NonRetryableError } from '../errors.js';
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
 * aborts, with a `NonRetryableError` (`HTTP_RESPONSE_TOO_LARGE`) past `maxBytes`, and with the
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

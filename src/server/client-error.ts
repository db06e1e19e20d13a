/**
 * Requests Node refuses before fastify sees them: bytes that are not HTTP, a malformed header,
 * headers over Node's size limit (`http.maxHeaderSize`), a request that did not arrive within the
 * request timeout. Fastify answered those with its own body (`{ error, message, statusCode }`);
 * they answer in the API's envelope, `{ error: { code, message } }`, with the base headers, and the
 * connection ends (Node cannot read on past such a request).
 * @module
 */
import http from 'node:http';
import type { Socket } from 'node:net';

/** The status, code and message of a client error. */
function describeClientError(error: { code?: unknown; reason?: unknown }, requestTimeoutMs: number) {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    const seconds = requestTimeoutMs / 1000;
    return {
      status: 408,
      code: 'REQUEST_TIMEOUT',
      message: `The request did not arrive in time (headers and body within ${seconds} s)`,
    };
  }
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return {
      status: 431,
      code: 'HEADERS_TOO_LARGE',
      message: `Request headers are larger than the limit of ${http.maxHeaderSize} bytes`,
    };
  }
  // llhttp's reason ('Invalid header token') says what is wrong with the bytes the client sent.
  const reason = typeof error.reason === 'string' && error.reason !== '' ? `: ${error.reason}` : '';
  return { status: 400, code: 'BAD_REQUEST', message: `Malformed HTTP request${reason}` };
}

/**
 * The response on the socket still pending, if any (Node detaches each one once it is sent): bytes
 * written now would be read as (part of) the answer to that earlier request.
 */
function pendingResponse(socket: Socket): http.ServerResponse | null {
  return (socket as { _httpMessage?: http.ServerResponse | null })._httpMessage ?? null;
}

/** The envelope of `error` as a whole HTTP response that closes the connection. */
function envelope(error: { code?: unknown; reason?: unknown }, requestTimeoutMs: number): string {
  const { status, code, message } = describeClientError(error, requestTimeoutMs);
  const body = JSON.stringify({ error: { code, message } });
  return (
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n` +
    'content-type: application/json; charset=utf-8\r\n' +
    `content-length: ${Buffer.byteLength(body)}\r\n` +
    'x-content-type-options: nosniff\r\n' +
    'cache-control: no-store\r\n' +
    'connection: close\r\n\r\n' +
    body
  );
}

/**
 * Fastify's `clientErrorHandler` for an app whose request timeout is `requestTimeoutMs`: writes the
 * envelope (unless the connection was reset) and ends the connection. When an earlier request's
 * response on it is pending (a valid request, then bytes that are not HTTP, in one send), that
 * response goes out first, then the envelope: the connection was destroyed at once, the earlier
 * request's answer with it, though its work (an execution started) was done.
 */
export function createClientErrorHandler(requestTimeoutMs: number) {
  return (error: Error & { code?: unknown; reason?: unknown }, socket: Socket): void => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const pending = pendingResponse(socket);
    if (pending === null) {
      if (socket.writable) socket.write(envelope(error, requestTimeoutMs));
      socket.destroy(error);
      return;
    }
    pending.once('finish', () => {
      if (socket.destroyed) return;
      if (!socket.writable) {
        socket.destroy(error);
        return;
      }
      // Ended, not destroyed: what is still buffered of the earlier answer is sent first.
      socket.end(envelope(error, requestTimeoutMs));
      socket.once('finish', () => socket.destroy());
    });
    // Closed without finishing (its connection went, the app closed): nothing more to answer.
    pending.once('close', () => {
      if (!pending.writableFinished) socket.destroy(error);
    });
  };
}

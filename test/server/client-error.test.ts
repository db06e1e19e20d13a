/**
 * Requests Node refuses before any route sees them (not HTTP at all, a bad header line, headers
 * over Node's size limit, a request that took too long to arrive) answer in the API's envelope,
 * `{ error: { code, message } }`, as every other error does, not in the framework's own
 * `{ error, message, statusCode }`. Through a listening server: the bytes go over a real socket.
 */
import http from 'node:http';
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { REQUEST_TIMEOUT_MS } from '../../src/server/app.js';
import { createClientErrorHandler } from '../../src/server/client-error.js';
import { closeAll, setup } from './helpers.js';
import { parseReply, type RawReply, sendRaw } from './raw-http.js';

afterEach(closeAll);

async function listening(): Promise<number> {
  const f = await setup();
  await f.app.listen({ port: 0, host: '127.0.0.1' });
  return (f.app.server.address() as net.AddressInfo).port;
}

function expectEnvelope(reply: RawReply, status: number, code: string): string {
  expect(reply.status).toBe(status);
  expect(reply.headers['content-type']).toMatch(/^application\/json/);
  expect(Number(reply.headers['content-length'])).toBe(Buffer.byteLength(reply.body));
  expect(reply.headers['x-content-type-options']).toBe('nosniff');
  expect(reply.headers.connection).toBe('close');
  const body = JSON.parse(reply.body) as { error: { code: string; message: string } };
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
  expect(body.error.code).toBe(code);
  return body.error.message;
}

describe('requests Node refuses before routing', () => {
  it('answers a malformed request line or header with 400 BAD_REQUEST in the envelope', async () => {
    const port = await listening();
    const badHeader = await sendRaw(port, 'GET /v1/workflows HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n');
    expect(expectEnvelope(badHeader, 400, 'BAD_REQUEST')).toMatch(/^Malformed HTTP request/);
    const notHttp = await sendRaw(port, 'hello there\r\n\r\n');
    expectEnvelope(notHttp, 400, 'BAD_REQUEST');
  });

  it('answers headers over the size limit with 431 HEADERS_TOO_LARGE naming the limit', async () => {
    const port = await listening();
    const big = `GET /v1/workflows HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(http.maxHeaderSize + 1)}\r\n\r\n`;
    const message = expectEnvelope(await sendRaw(port, big), 431, 'HEADERS_TOO_LARGE');
    expect(message).toContain(String(http.maxHeaderSize));
  });

  it('answers a request that did not arrive in time with 408 REQUEST_TIMEOUT', () => {
    let written = '';
    let destroyed = false;
    const socket = {
      writable: true,
      destroyed: false,
      write(chunk: string) {
        written += chunk;
        return true;
      },
      destroy() {
        destroyed = true;
      },
    };
    const error = Object.assign(new Error('Request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' });
    createClientErrorHandler(REQUEST_TIMEOUT_MS)(error, socket as unknown as net.Socket);
    const message = expectEnvelope(parseReply(written), 408, 'REQUEST_TIMEOUT');
    expect(message).toMatch(/30 s/);
    expect(destroyed).toBe(true);
  });

  it('writes nothing on a connection that was reset or has a response pending', () => {
    for (const [error, socketState] of [
      [Object.assign(new Error('reset'), { code: 'ECONNRESET' }), {}],
      [
        Object.assign(new Error('bad'), { code: 'HPE_INVALID_METHOD' }),
        { _httpMessage: { headersSent: true } },
      ],
      [
        Object.assign(new Error('bad'), { code: 'HPE_INVALID_METHOD' }),
        // A pipelined request's answer not begun yet: a 400 now would be read as its answer.
        { _httpMessage: { headersSent: false } },
      ],
    ] as const) {
      let written = '';
      const socket = {
        writable: true,
        destroyed: false,
        ...socketState,
        write(chunk: string) {
          written += chunk;
          return true;
        },
        destroy() {},
      };
      createClientErrorHandler(REQUEST_TIMEOUT_MS)(error, socket as unknown as net.Socket);
      expect(written).toBe('');
    }
  });
});

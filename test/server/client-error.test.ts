/**
 * Requests Node refuses before any route sees them (not HTTP at all, a bad header line, headers
 * over Node's size limit, a request that took too long to arrive) answer in the API's envelope,
 * `{ error: { code, message } }`, as every other error does, not in the framework's own
 * `{ error, message, statusCode }`. Through a listening server: the bytes go over a real socket.
 */
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { REQUEST_TIMEOUT_MS } from '../../src/server/app.js';
import { createClientErrorHandler } from '../../src/server/client-error.js';
import { closeAll, setup, TOKEN } from './helpers.js';
import { parseReply, type RawReply, sendRaw, sendRawText } from './raw-http.js';

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

/** A socket that records what is written to it and whether it was ended or destroyed. */
function fakeSocket(pending: EventEmitter | null = null) {
  const state = { written: '', ended: '', destroyed: false };
  const socket = Object.assign(new EventEmitter(), {
    writable: true,
    destroyed: false,
    _httpMessage: pending,
    write(chunk: string) {
      state.written += chunk;
      return true;
    },
    end(chunk: string) {
      state.ended += chunk;
    },
    destroy() {
      state.destroyed = true;
    },
  });
  return { socket: socket as unknown as net.Socket, state, raw: socket };
}

/** A response still pending on a socket. */
function pendingResponse(): EventEmitter & { writableFinished: boolean } {
  return Object.assign(new EventEmitter(), { writableFinished: false });
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
    const { socket, state } = fakeSocket();
    const error = Object.assign(new Error('Request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' });
    createClientErrorHandler(REQUEST_TIMEOUT_MS)(error, socket);
    const message = expectEnvelope(parseReply(state.written), 408, 'REQUEST_TIMEOUT');
    expect(message).toMatch(/30 s/);
    expect(state.destroyed).toBe(true);
  });

  it('writes nothing on a connection that was reset', () => {
    const { socket, state } = fakeSocket();
    const reset = Object.assign(new Error('reset'), { code: 'ECONNRESET' });
    createClientErrorHandler(REQUEST_TIMEOUT_MS)(reset, socket);
    expect(state.written).toBe('');
  });

  it('waits for a pending response, then ends the connection with the envelope', () => {
    const pending = pendingResponse();
    const { socket, state, raw } = fakeSocket(pending);
    createClientErrorHandler(REQUEST_TIMEOUT_MS)(new Error('Parse Error'), socket);
    expect(state.written + state.ended).toBe('');
    pending.writableFinished = true;
    pending.emit('finish');
    pending.emit('close');
    expectEnvelope(parseReply(state.ended), 400, 'BAD_REQUEST');
    expect(state.destroyed).toBe(false);
    raw.emit('finish');
    expect(state.destroyed).toBe(true);
  });

  it('writes nothing when the pending response closes without finishing', () => {
    const pending = pendingResponse();
    const { socket, state } = fakeSocket(pending);
    createClientErrorHandler(REQUEST_TIMEOUT_MS)(new Error('Parse Error'), socket);
    pending.emit('close');
    expect(state.destroyed).toBe(true);
    expect(state.written + state.ended).toBe('');
  });

  it('writes nothing when the socket stopped being writable while the response was pending', () => {
    const pending = pendingResponse();
    const { socket, state, raw } = fakeSocket(pending);
    createClientErrorHandler(REQUEST_TIMEOUT_MS)(new Error('Parse Error'), socket);
    raw.writable = false;
    pending.emit('finish');
    expect(state.destroyed).toBe(true);
    expect(state.written + state.ended).toBe('');
  });

  it('answers a valid request first when bytes that are not HTTP follow it, then the 400', async () => {
    // The connection was destroyed at once, and the earlier request's answer with it: a client
    // got nothing back (a socket hang up) for an execution that was started all the same.
    const f = await setup();
    await f.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (f.app.server.address() as net.AddressInfo).port;
    await f.orch.workflowEngine.defineWorkflow('w', [
      { name: 'a', action: 'delay', input: "{'seconds': 0}" },
    ]);
    const body = '{"input":{"pipelined":true}}';
    const text = await sendRawText(
      port,
      'POST /v1/workflows/w/executions HTTP/1.1\r\nHost: x\r\n' +
        `Authorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${body.length}\r\n\r\n${body}XYZ\r\n\r\n`,
    );
    const second = text.indexOf('HTTP/1.1 400');
    expect(second).toBeGreaterThan(0);
    const first = parseReply(text.slice(0, second));
    expect(first.status).toBe(202);
    const { id } = JSON.parse(first.body.slice(0, Number(first.headers['content-length']))) as { id: string };
    expect((await f.orch.workflowEngine.getExecutionStatus(id))?.inputData).toEqual({ pipelined: true });
    expectEnvelope(parseReply(text.slice(second)), 400, 'BAD_REQUEST');
    // A GET's answer too.
    const health = await sendRawText(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\ngarbage\r\n\r\n');
    expect(health).toMatch(/^HTTP\/1\.1 200 [\s\S]*HTTP\/1\.1 400 Bad Request\r\n/);
  });
});

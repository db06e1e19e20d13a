/**
 * An `Authorization` header sent twice is ambiguous: Node keeps the first and drops the other, so
 * the request was judged on credentials the client may not have meant. It answers 400 naming the
 * header, whatever the two hold, on every route that needs a token (unknown `/v1` paths too);
 * public routes read no credentials and answer as usual. Through a listening server: the two
 * header lines go over a real socket.
 */
import http from 'node:http';
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, setup, TOKEN } from './helpers.js';

afterEach(closeAll);

/** Sends `GET|POST path` with the given `Authorization` header lines; resolves with status and body. */
function request(
  port: number,
  method: string,
  path: string,
  authorization: string[],
): Promise<{ status: number; body: string; contentType: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body, contentType: res.headers['content-type'] }),
      );
    });
    req.on('error', reject);
    // An array goes out as one header line per value.
    if (authorization.length > 0) req.setHeader('authorization', authorization);
    if (method === 'POST') {
      req.setHeader('content-type', 'application/json');
      req.end('{"id":"other","steps":[{"name":"greet"}]}');
    } else {
      req.end();
    }
  });
}

describe('Authorization given more than once', () => {
  it('answers 400 VALIDATION naming the header, on every route that needs a token', async () => {
    const f = await setup();
    await f.orch.workflowEngine.defineWorkflow('wf', [{ name: 'greet' }]);
    await f.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = f.app.server.address() as net.AddressInfo;
    const good = `Bearer ${TOKEN}`;

    for (const twice of [
      [good, good],
      [good, 'Bearer wrong-token'],
      ['Bearer wrong-token', good],
    ]) {
      for (const [method, path] of [
        ['GET', '/v1/workflows'],
        ['POST', '/v1/workflows'],
        ['GET', '/v1/nothing-here'],
      ] as const) {
        const res = await request(port, method, path, twice);
        const what = `${method} ${path} ${JSON.stringify(twice)}`;
        expect(res.status, what).toBe(400);
        expect(res.contentType, what).toMatch(/^application\/json/);
        expect(JSON.parse(res.body), what).toEqual({
          error: {
            code: 'VALIDATION',
            message: 'Invalid request: headers.authorization: given more than once; give it once',
          },
        });
      }
    }
    // Nothing was defined by the refused POSTs.
    expect(f.orch.workflowEngine.listWorkflows().map((w) => w.id)).toEqual(['wf']);
    // Once, it is judged as before.
    expect((await request(port, 'GET', '/v1/workflows', [good])).status).toBe(200);
    expect((await request(port, 'GET', '/v1/workflows', ['Bearer wrong-token'])).status).toBe(401);
    // A public route reads no credentials.
    expect((await request(port, 'GET', '/healthz', [good, good])).status).toBe(200);
  });
});

/**
 * The built-in `http` action with a host that resolves to several addresses: it tries them in
 * the resolver's order, moving on only when a connection could not be made (nothing sent), never
 * after the request went out nor on an HTTP error status; every address is vetted first, and the
 * call fails with the host, the number of addresses tried and the last error when none connects.
 * Servers listen on 127.0.0.1 and 127.0.0.2 (both loopback on Linux) at the same port, so one
 * URL reaches either depending on the address the action picks.
 */
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createHttpAction, type HttpActionOutput } from '../../../src/actions/http-action.js';
import { NonRetryableError } from '../../../src/errors.js';
import { ctx, failure } from './action-context.js';
import { addresses, httpOn, tcpOn } from './loopback.js';

/** A port with nothing listening on 127.0.0.1 (nor, since it is freshly released, elsewhere). */
async function closedPort(): Promise<number> {
  const server = createTcpServer();
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('http action: a host with several addresses', () => {
  it('moves on to the next address when the first refuses the connection (::1 then 127.0.0.1)', async () => {
    const v4 = await httpOn('127.0.0.1');
    const action = createHttpAction({ allowlist: ['dual.test'], resolve: addresses('::1', '127.0.0.1') });
    const out = (await action({ url: `http://dual.test:${v4.port}/x` }, ctx())) as HttpActionOutput;
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ served: '127.0.0.1' });
    expect(v4.requests).toBe(1);
  });

  it("tries the addresses in the resolver's order and stops at the first that connects", async () => {
    const first = await httpOn('127.0.0.1');
    const second = await httpOn('127.0.0.2', first.port);
    const action = createHttpAction({
      allowlist: ['127.0.0.0/8'],
      resolve: addresses('127.0.0.1', '127.0.0.2'),
    });
    const out = (await action({ url: `http://two.test:${first.port}/x` }, ctx())) as HttpActionOutput;
    expect(out.body).toEqual({ served: '127.0.0.1' });
    expect([first.connections, second.connections]).toEqual([1, 0]);
  });

  it('connects to no address when any answer is refused by the guard, whatever its place', async () => {
    const allowed = await httpOn('127.0.0.1');
    const refused = await httpOn('127.0.0.2', allowed.port);
    for (const order of [
      ['127.0.0.2', '127.0.0.1'],
      ['127.0.0.1', '127.0.0.2'],
    ]) {
      const action = createHttpAction({ allowlist: ['127.0.0.1'], resolve: addresses(...order) });
      const error = await failure(
        action({ url: `http://mixed.test:${allowed.port}/x` }, ctx()) as Promise<unknown>,
      );
      expect(error.code, order.join()).toBe('SSRF_BLOCKED');
      expect(error.message).toMatch(/127\.0\.0\.2/);
    }
    expect([allowed.connections, refused.connections]).toEqual([0, 0]);
  });

  it('does not try another address once the request was sent: a connection cut mid-response fails', async () => {
    const cut = await tcpOn('127.0.0.1', (socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 100\r\n\r\npartial');
      setImmediate(() => socket.destroy());
    });
    const spare = await httpOn('127.0.0.2', cut.port);
    const action = createHttpAction({
      allowlist: ['127.0.0.0/8'],
      resolve: addresses('127.0.0.1', '127.0.0.2'),
    });
    const error = await failure(
      action(
        { method: 'POST', url: `http://cut.test:${cut.port}/pay`, body: { n: 1 } },
        ctx(),
      ) as Promise<unknown>,
    );
    expect(error.code).toBe('HTTP_NETWORK');
    expect(error.message).not.toMatch(/addresses/);
    expect([cut.requests, spare.connections, spare.requests]).toEqual([1, 0, 0]);
  });

  it('does not try another address when the connection closes before any response', async () => {
    const reset = await tcpOn('127.0.0.1', (socket) => socket.destroy());
    const spare = await httpOn('127.0.0.2', reset.port);
    const action = createHttpAction({
      allowlist: ['127.0.0.0/8'],
      resolve: addresses('127.0.0.1', '127.0.0.2'),
    });
    const error = await failure(
      action({ url: `http://reset.test:${reset.port}/x` }, ctx()) as Promise<unknown>,
    );
    expect(error.code).toBe('HTTP_NETWORK');
    expect([reset.requests, spare.connections]).toEqual([1, 0]);
  });

  it('does not try another address on an HTTP error status', async () => {
    const failing = await httpOn('127.0.0.1', 0, 503);
    const spare = await httpOn('127.0.0.2', failing.port);
    const action = createHttpAction({
      allowlist: ['127.0.0.0/8'],
      resolve: addresses('127.0.0.1', '127.0.0.2'),
    });
    const error = await failure(
      action({ url: `http://busy.test:${failing.port}/x` }, ctx()) as Promise<unknown>,
    );
    expect(error.code).toBe('HTTP_5XX');
    expect([failing.requests, spare.connections]).toEqual([1, 0]);
  });

  it('fails naming the host, the number of addresses tried and the last error when none connects', async () => {
    const port = await closedPort();
    const action = createHttpAction({
      allowlist: ['down.test'],
      resolve: addresses('::1', '127.0.0.2', '127.0.0.1'),
    });
    const error = await failure(action({ url: `http://down.test:${port}/x` }, ctx()) as Promise<unknown>);
    expect(error.code).toBe('HTTP_NETWORK');
    expect(error).not.toBeInstanceOf(NonRetryableError);
    expect(error.message).toMatch(/'down\.test'/);
    expect(error.message).toMatch(/3 addresses/);
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it('keeps the whole call within its timeout across addresses', async () => {
    const silent = await tcpOn('127.0.0.2', () => undefined);
    // A call that ignored its 0.3 s would take the default's 60 s (past the test's timeout).
    const action = createHttpAction({
      allowlist: ['127.0.0.0/8'],
      resolve: addresses('127.0.0.1', '127.0.0.2'),
      defaultTimeout: 60,
    });
    const started = Date.now();
    const error = await failure(
      action({ url: `http://slow.test:${silent.port}/x`, timeout: 0.3 }, ctx()) as Promise<unknown>,
    );
    expect(error.code).toBe('HTTP_TIMEOUT');
    expect(silent.requests).toBe(1);
    // Far from 60 s, and more than a loaded machine adds to 0.3 s.
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

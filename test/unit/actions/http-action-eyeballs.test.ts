/**
 * The built-in `http` action racing the connects to a host's addresses (Happy Eyeballs): an
 * address whose connect never completes (a blackholed IPv6 address) costs the attempt delay, not
 * the call's timeout; an earlier attempt keeps going after the next one starts; only connects
 * race, so the request is written once, on the first socket to connect, and the others are
 * destroyed; the step's signal stops every attempt and timer. The blackholed addresses are real
 * loopback sockets whose connect the test holds (see `connect-seam.ts`).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHttpAction, type HttpActionOutput } from '../../../src/actions/http-action.js';
import { NonRetryableError, ValidationError } from '../../../src/errors.js';
import { ctx, failure } from './action-context.js';
import { connector } from './connect-seam.js';
import { json, startServer } from './local-server.js';
import { addresses, httpOn } from './loopback.js';
import { selfSignedCertificate } from './self-signed.js';

/**
 * Fakes only `setTimeout`, the attempt delay's timer: sockets, servers and the call's timeout
 * (`AbortSignal.timeout`) keep real time, and the attempt delay is checked to the millisecond
 * however slow the machine.
 */
function fakeAttemptTimer(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
}

afterEach(() => {
  vi.useRealTimers();
});

describe('http action: racing the connects to a host with several addresses', () => {
  it('starts the next address after the attempt delay when the first never connects, and is answered by it', async () => {
    const v4 = await httpOn('127.0.0.1');
    const seam = connector(['::1']);
    const action = createHttpAction({
      allowlist: ['dual.test'],
      resolve: addresses('::1', '127.0.0.1'),
      connect: seam.connect,
    });
    fakeAttemptTimer();
    const call = action(
      { url: `http://dual.test:${v4.port}/x`, timeout: 20 },
      ctx(),
    ) as Promise<HttpActionOutput>;
    await seam.started(1);
    // The default attempt delay (250 ms), not a share of the 20 s timeout.
    await vi.advanceTimersByTimeAsync(249);
    expect(seam.attempts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    const out = await call;
    expect(out.body).toEqual({ served: '127.0.0.1' });
    expect(seam.attempts.map((a) => a.address)).toEqual(['::1', '127.0.0.1']);
    expect(seam.attempts[0]?.socket.destroyed).toBe(true);
    expect(v4.requests).toBe(1);
  });

  it('keeps the first attempt going after starting the next: the first to connect wins, the other is destroyed', async () => {
    const first = await httpOn('127.0.0.1');
    const second = await httpOn('127.0.0.2', first.port);
    const seam = connector(['127.0.0.1', '127.0.0.2']);
    const action = createHttpAction({
      allowlist: ['127.0.0.0/8'],
      resolve: addresses('127.0.0.1', '127.0.0.2'),
      connect: seam.connect,
      connectAttemptDelay: 0.01,
    });
    const call = action({ url: `http://slow.test:${first.port}/x` }, ctx()) as Promise<HttpActionOutput>;
    await seam.started(2);
    seam.attempts[0]?.release();
    const out = await call;
    expect(out.body).toEqual({ served: '127.0.0.1' });
    expect(seam.attempts[1]?.socket.destroyed).toBe(true);
    expect([first.requests, second.connections]).toEqual([1, 0]);
  });

  it('writes the request once when two attempts connect: the loser is destroyed unused', async () => {
    const first = await httpOn('127.0.0.1');
    const second = await httpOn('127.0.0.2', first.port);
    const seam = connector(['127.0.0.1', '127.0.0.2']);
    const action = createHttpAction({
      allowlist: ['127.0.0.0/8'],
      resolve: addresses('127.0.0.1', '127.0.0.2'),
      connect: seam.connect,
      connectAttemptDelay: 0.01,
    });
    const call = action(
      { method: 'POST', url: `http://both.test:${first.port}/pay`, body: { n: 1 } },
      ctx(),
    ) as Promise<HttpActionOutput>;
    await seam.started(2);
    for (const attempt of seam.attempts) attempt.release();
    const out = await call;
    expect(out.status).toBe(200);
    expect(first.requests + second.requests).toBe(1);
    expect(seam.attempts.map((a) => a.socket.destroyed)).toEqual([true, true]);
  });

  it('alternates address families (RFC 8305 §4): a second blackholed IPv6 address does not delay IPv4 further', async () => {
    const v4 = await httpOn('127.0.0.1');
    const seam = connector(['::1', '::ffff:127.0.0.3']);
    const action = createHttpAction({
      allowlist: ['dual.test'],
      resolve: addresses('::1', '::ffff:127.0.0.3', '127.0.0.1'),
      connect: seam.connect,
      connectAttemptDelay: 0.02,
    });
    const out = (await action({ url: `http://dual.test:${v4.port}/x` }, ctx())) as HttpActionOutput;
    expect(out.body).toEqual({ served: '127.0.0.1' });
    expect(seam.attempts.map((a) => a.address)).toEqual(['::1', '127.0.0.1']);
    expect(seam.attempts[0]?.socket.destroyed).toBe(true);
  });

  it('starts the next attempt at once when one fails, without waiting for the attempt delay', async () => {
    const v4 = await httpOn('127.0.0.1');
    const seam = connector([]);
    const action = createHttpAction({
      allowlist: ['127.0.0.0/8'],
      resolve: addresses('127.0.0.2', '127.0.0.1'),
      connect: seam.connect,
      connectAttemptDelay: 30,
    });
    // The attempt timer never fires: only the refusal can start the second attempt.
    fakeAttemptTimer();
    const out = (await action(
      { url: `http://refused.test:${v4.port}/x`, timeout: 60 },
      ctx(),
    )) as HttpActionOutput;
    expect(out.body).toEqual({ served: '127.0.0.1' });
    expect(seam.attempts.map((a) => a.address)).toEqual(['127.0.0.2', '127.0.0.1']);
  });

  it('stops every attempt and the attempt timer when the step is cancelled while connecting', async () => {
    const seam = connector(['127.0.0.3', '127.0.0.4', '127.0.0.5']);
    const action = createHttpAction({
      allowlist: ['127.0.0.0/8'],
      resolve: addresses('127.0.0.3', '127.0.0.4', '127.0.0.5'),
      connect: seam.connect,
      connectAttemptDelay: 0.02,
    });
    fakeAttemptTimer();
    const cancel = new AbortController();
    const call = action(
      { url: 'http://dark.test:8080/x', timeout: 60 },
      ctx(cancel.signal),
    ) as Promise<unknown>;
    await seam.started(1);
    await vi.advanceTimersByTimeAsync(20);
    await seam.started(2);
    const reason = new Error('cancelled by the test');
    cancel.abort(reason);
    await expect(call).rejects.toBe(reason);
    expect(seam.attempts.map((a) => a.socket.destroyed)).toEqual([true, true]);
    // A timer left running would start the third attempt 20 ms later.
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(seam.attempts).toHaveLength(2);
  });

  it("still checks an https server's certificate on the connection that won the race", async () => {
    const secure = await startServer({ '/json': json(200, { over: 'https' }) }, selfSignedCertificate());
    try {
      const action = createHttpAction({ allowlist: ['127.0.0.1'] });
      const error = await failure(action({ url: `${secure.base}/json` }, ctx()) as Promise<unknown>);
      expect(error.code).toBe('HTTP_TLS');
      expect(error.message).toMatch(/SELF_SIGNED/);
      expect(secure.received).toEqual([]);
    } finally {
      await secure.close();
    }
  });

  it('fails with HTTP_CONNECT_TIMEOUT naming the host and its addresses when no connect completes in time', async () => {
    const seam = connector(['::1', '127.0.0.1']);
    const action = createHttpAction({
      allowlist: ['dark.test'],
      resolve: addresses('::1', '127.0.0.1'),
      connect: seam.connect,
      connectAttemptDelay: 0.01,
    });
    // The second attempt starts 10 ms after the first unless the machine stalls for most of the
    // second the call has (with 50 ms of 0.3 s, a 250 ms stall of a loaded machine tried one).
    const error = await failure(
      action({ url: 'http://dark.test:8080/x', timeout: 1 }, ctx()) as Promise<unknown>,
    );
    expect(error.code).toBe('HTTP_CONNECT_TIMEOUT');
    expect(error).not.toBeInstanceOf(NonRetryableError);
    expect(error.message).toBe(
      "GET http://dark.test:8080/x did not finish within 1s: connecting to 'dark.test' timed out at all of its 2 addresses (::1, 127.0.0.1); nothing was sent",
    );
    expect(seam.attempts.map((a) => a.socket.destroyed)).toEqual([true, true]);
  });

  it('says how many of the addresses were tried when the timeout came first, and names an IP host', async () => {
    const many = connector(['127.0.0.3', '127.0.0.4', '127.0.0.5']);
    const action = createHttpAction({
      allowlist: ['127.0.0.0/8'],
      resolve: addresses('127.0.0.3', '127.0.0.4', '127.0.0.5'),
      connect: many.connect,
      connectAttemptDelay: 30,
    });
    const error = await failure(
      action({ url: 'http://many.test:8080/x', timeout: 0.2 }, ctx()) as Promise<unknown>,
    );
    expect(error.code).toBe('HTTP_CONNECT_TIMEOUT');
    expect(error.message).toMatch(
      /connecting to 'many\.test' timed out \(1 of its 3 addresses tried: 127\.0\.0\.3\)/,
    );

    const one = connector(['127.0.0.9']);
    const direct = createHttpAction({ allowlist: ['127.0.0.0/8'], connect: one.connect });
    const single = await failure(
      direct({ url: 'http://127.0.0.9:8080/x', timeout: 0.2 }, ctx()) as Promise<unknown>,
    );
    expect(single.code).toBe('HTTP_CONNECT_TIMEOUT');
    expect(single.message).toMatch(/connecting to '127\.0\.0\.9' timed out at its address/);
    expect(one.attempts[0]?.socket.destroyed).toBe(true);
  });

  it('refuses a connectAttemptDelay that is not 0 to 60 seconds, naming the option and the value', () => {
    for (const bad of [-1, 61, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => createHttpAction({ connectAttemptDelay: bad }), String(bad)).toThrow(ValidationError);
      expect(() => createHttpAction({ connectAttemptDelay: bad })).toThrow(
        new RegExp(`connectAttemptDelay.*got ${bad}`),
      );
    }
    expect(() => createHttpAction({ connectAttemptDelay: 0 })).not.toThrow();
  });
});

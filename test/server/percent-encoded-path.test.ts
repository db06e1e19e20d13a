/**
 * The router decodes a percent-encoded path before it matches it (`/%761/workflows` is
 * `/v1/workflows`, as RFC 3986 §6.2.2.2 has it), so the checks of a path no route matched read it
 * decoded too: an unknown `/v1` path spelled so needs the token (a 404 without one told which
 * routes exist, since the known ones answered 401), and a known path asked with another method
 * answers 405 with `Allow`. Messages still name the path as it was sent.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AUTH, closeAll, envelope, setup } from './helpers.js';

afterEach(closeAll);

describe('percent-encoded paths', () => {
  it('need the token under /v1 however /v1 is spelled', async () => {
    const f = await setup();
    for (const url of ['/%761/nope', '/v%31/nope', '/%76%31', '/%761/workflows', '/v1/%6Eope?x=1']) {
      const res = await f.app.inject({ url });
      expect([url, res.statusCode]).toEqual([url, 401]);
      expect(envelope(res).code).toBe('UNAUTHORIZED');
    }
  });

  it('answer 404 naming the path as sent, and 405 with Allow on a known path', async () => {
    const f = await setup();
    const unknown = await f.call({ url: '/%761/nope' });
    expect(unknown.statusCode).toBe(404);
    expect(envelope(unknown)).toEqual({ code: 'NOT_FOUND', message: 'Route GET /%761/nope not found' });

    const wrongMethod = await f.app.inject({ method: 'DELETE', url: '/v1/%77orkflows', headers: AUTH });
    expect(wrongMethod.statusCode).toBe(405);
    expect(wrongMethod.headers.allow).toBe('GET, HEAD, OPTIONS, POST');
    expect(envelope(wrongMethod).message).toBe(
      'Method DELETE is not allowed on /v1/%77orkflows; allowed: GET, HEAD, OPTIONS, POST',
    );
    const publicPath = await f.app.inject({ method: 'POST', url: '/healt%68z' });
    expect(publicPath.statusCode).toBe(405);
    expect(publicPath.headers.allow).toBe('GET, HEAD, OPTIONS');
    // An encoded slash is not a separator, for the router nor here: one segment, an unknown path.
    const slash = await f.call({ method: 'DELETE', url: '/v1/workflows%2Fx' });
    expect(slash.statusCode).toBe(404);
  });
});

/**
 * Authentication matrix: every protected route × {no token, wrong token, wrong scheme} answers
 * 401 with the envelope and no data; the public routes (/healthz, /openapi.json, /metrics) need
 * nothing; unknown paths under /v1 need the token before they answer 404.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { bearerToken, createTokenVerifier, generateToken } from '../../src/server/auth.js';
import { AUTH, closeAll, envelope, setup, TOKEN } from './helpers.js';

afterEach(closeAll);

const PROTECTED: Array<[string, string]> = [
  ['POST', '/v1/workflows'],
  ['GET', '/v1/workflows'],
  ['GET', '/v1/workflows/wf'],
  ['POST', '/v1/workflows/wf/executions'],
  ['GET', '/v1/workflows/wf/performance'],
  ['GET', '/v1/executions'],
  ['GET', '/v1/executions/exec_1'],
  ['POST', '/v1/executions/exec_1/cancel'],
  ['GET', '/v1/metrics'],
  ['GET', '/v1/workers'],
  ['GET', '/v1/alerts'],
  ['GET', '/v1/unknown'],
  ['GET', '/v1'],
  ['HEAD', '/v1/workflows'],
];

const BAD_HEADERS: Array<Record<string, string>> = [
  {},
  { authorization: 'Bearer wrong-token' },
  { authorization: `Bearer ${TOKEN}x` },
  { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
  { authorization: `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}` },
  { authorization: TOKEN },
  { authorization: 'Bearer' },
  { authorization: `Bearer ${TOKEN} extra` },
];

describe('bearer authentication', () => {
  it('answers 401 with the envelope on every protected route for every bad credential', async () => {
    const { app, orch } = await setup();
    await orch.workflowEngine.defineWorkflow('wf', [{ name: 'greet' }]);
    for (const [method, url] of PROTECTED) {
      for (const headers of BAD_HEADERS) {
        const res = await app.inject({
          method: method as 'GET',
          url,
          headers: { ...headers, 'content-type': 'application/json' },
          payload: method === 'POST' ? '{"id":"x","steps":[{"name":"greet"}]}' : undefined,
        });
        expect(res.statusCode, `${method} ${url} ${JSON.stringify(headers)}`).toBe(401);
        expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
        if (method !== 'HEAD') expect(envelope(res).code).toBe('UNAUTHORIZED');
      }
    }
    expect(orch.workflowEngine.listWorkflows().map((w) => w.id)).toEqual(['wf']);
  });

  it('accepts the token with any case of the scheme', async () => {
    const { app } = await setup();
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const res = await app.inject({
        url: '/v1/workflows',
        headers: { authorization: `${scheme} ${TOKEN}` },
      });
      expect(res.statusCode).toBe(200);
    }
  });

  it('leaves /healthz, /openapi.json and /metrics public (SPEC §7: no token)', async () => {
    const { app } = await setup();
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/openapi.json' })).statusCode).toBe(200);
    const metrics = await app.inject({ url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('# TYPE orchestrator_');
  });

  it('answers 404 for unknown routes once authenticated (405 for a wrong method), and for unknown paths outside /v1', async () => {
    const { app } = await setup();
    const inside = await app.inject({ url: '/v1/nothing-here', headers: AUTH });
    expect(inside.statusCode).toBe(404);
    expect(envelope(inside)).toEqual({ code: 'NOT_FOUND', message: 'Route GET /v1/nothing-here not found' });
    const outside = await app.inject({ url: '/nothing?token=x' });
    expect(outside.statusCode).toBe(404);
    expect(envelope(outside).message).toBe('Route GET /nothing not found');
    const wrongMethod = await app.inject({ method: 'DELETE', url: '/v1/workflows', headers: AUTH });
    expect(wrongMethod.statusCode).toBe(405);
    expect(wrongMethod.headers.allow).toBe('GET, HEAD, OPTIONS, POST');
  });

  it('rejects an unauthenticated oversize body with 401 before reading it', async () => {
    const { app } = await setup({ app: { bodyLimit: 100 } });
    const res = await app.inject({
      method: 'POST',
      url: '/v1/workflows',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ id: 'x', pad: 'y'.repeat(1000) }),
    });
    expect(res.statusCode).toBe(401);
  });
});

describe('tokens a client cannot send', () => {
  it('are refused when the app is built, naming the token (a header cannot carry them)', async () => {
    const { buildApp } = await import('../../src/server/app.js');
    const { orch } = await setup();
    for (const token of ['my secret token', 'tab\there', 'pässwort', 'line\nbreak']) {
      await expect(buildApp(orch, { token }), JSON.stringify(token)).rejects.toThrow(
        /token: .*visible ASCII/,
      );
    }
    const spaced = await setup({ app: { token: 'ok-token' } });
    const res = await spaced.app.inject({
      url: '/v1/workflows',
      headers: { authorization: 'Bearer ok-token' },
    });
    expect(res.statusCode).toBe(200);
  });
});

describe('token helpers', () => {
  it('parses bearer headers', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer   abc  ')).toBe('abc');
    expect(bearerToken('Bearer a b')).toBeNull();
    expect(bearerToken('Basic abc')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });

  it('compares tokens of any length in constant time over digests', () => {
    const verify = createTokenVerifier('secret');
    expect(verify('secret')).toBe(true);
    expect(verify('secreT')).toBe(false);
    expect(verify('')).toBe(false);
    expect(verify('secret'.repeat(1000))).toBe(false);
  });

  it('generates distinct 256-bit tokens', () => {
    const a = generateToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateToken()).not.toBe(a);
  });
});

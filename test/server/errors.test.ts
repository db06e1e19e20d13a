/**
 * The one error table and envelope; internal errors never leak (no message, no stack); logs
 * carry no token, no request body and no stack; extra plugins are authenticated by default.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ClosedError,
  ConflictError,
  ExecutionNotFoundError,
  NoWorkersError,
  OrchestratorError,
  TimeoutError,
  ValidationError,
  WorkflowNotFoundError,
} from '../../src/errors.js';
import { STATUS_BY_CODE, statusOf, toErrorReply, UnauthorizedError } from '../../src/server/errors.js';
import { createServerLogger } from '../../src/server/logger.js';
import { AUTH, closeAll, define, envelope, setup, TOKEN } from './helpers.js';

afterEach(closeAll);

const opts = { bodyLimit: 1024 };

describe('the code → status table', () => {
  it('maps each engine and HTTP error to its status with its own code and message', () => {
    const cases: Array<[Error, number, string]> = [
      [new ValidationError([{ path: 'steps[0].name', message: 'bad' }]), 400, 'VALIDATION'],
      [new UnauthorizedError(), 401, 'UNAUTHORIZED'],
      [new WorkflowNotFoundError('wf'), 404, 'WORKFLOW_NOT_FOUND'],
      [new ExecutionNotFoundError('e'), 404, 'EXECUTION_NOT_FOUND'],
      [new ConflictError('taken'), 409, 'CONFLICT'],
      [new OrchestratorError('UNSUPPORTED', 'The store cannot list after a cursor'), 501, 'UNSUPPORTED'],
      [new ClosedError(), 503, 'CLOSED'],
      [new NoWorkersError(), 503, 'NO_WORKERS'],
    ];
    for (const [error, status, code] of cases) {
      expect(toErrorReply(error, opts)).toEqual({
        status,
        body: { error: { code, message: error.message } },
      });
    }
    expect(STATUS_BY_CODE).toMatchObject({ NOT_FOUND: 404, PAYLOAD_TOO_LARGE: 413 });
    expect(statusOf('constructor')).toBe(500);
    expect(statusOf('toString')).toBe(500);
  });

  it('maps framework errors to our codes with our messages', () => {
    const fst = (code: string, statusCode: number) =>
      Object.assign(new Error(`fastify says ${code}`), { code, statusCode });
    expect(toErrorReply(fst('FST_ERR_CTP_BODY_TOO_LARGE', 413), opts)).toEqual({
      status: 413,
      body: {
        error: { code: 'PAYLOAD_TOO_LARGE', message: 'Request body is larger than the limit of 1024 bytes' },
      },
    });
    expect(toErrorReply(fst('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415), opts).status).toBe(415);
    expect(toErrorReply(fst('FST_ERR_CTP_INVALID_JSON_BODY', 400), opts).body.error.code).toBe('VALIDATION');
    expect(toErrorReply(fst('FST_ERR_SOMETHING_ELSE', 400), opts).body.error.code).toBe('BAD_REQUEST');
  });

  it('answers 500 INTERNAL with a generic message for anything else', () => {
    const generic = { status: 500, body: { error: { code: 'INTERNAL', message: 'Internal server error' } } };
    expect(toErrorReply(new Error('db password is hunter2'), opts)).toEqual(generic);
    expect(toErrorReply(new TimeoutError('took too long'), opts)).toEqual(generic);
    expect(toErrorReply(new OrchestratorError('LEASE_LOST', 'internal detail'), opts)).toEqual(generic);
    expect(toErrorReply('a string', opts)).toEqual(generic);
    expect(toErrorReply(null, opts)).toEqual(generic);
    expect(toErrorReply(Object.assign(new Error('x'), { statusCode: 502 }), opts)).toEqual(generic);
  });

  it('answers a store outage 503 STORE_UNAVAILABLE (try again), without the store path or address', () => {
    const down = new OrchestratorError(
      'STORE_UNAVAILABLE',
      "SQLite store '/srv/secret/orchestrator.sqlite': database is locked (SQLITE_BUSY: ...)",
    );
    expect(toErrorReply(down, opts)).toEqual({
      status: 503,
      body: { error: { code: 'STORE_UNAVAILABLE', message: 'The store is unavailable; try again later' } },
    });
  });
});

describe('no leaks', () => {
  function capture() {
    const lines: string[] = [];
    const logger = createServerLogger({
      level: 'info',
      destination: { write: (s: string) => lines.push(s) },
    });
    return { logger, text: () => lines.join('') };
  }

  it('hides internal errors from clients and keeps stacks, tokens and bodies out of the logs', async () => {
    const log = capture();
    const f = await setup({
      app: {
        logger: log.logger,
        plugins: [
          (scope) => {
            scope.get('/v1/explode', async () => {
              throw new Error('connection string postgres://admin:hunter2@db');
            });
          },
        ],
      },
    });
    const res = await f.call({ url: '/v1/explode' });
    expect(res.statusCode).toBe(500);
    expect(envelope(res)).toEqual({ code: 'INTERNAL', message: 'Internal server error' });
    expect(res.body).not.toContain('hunter2');

    await define(f, 'hello', [{ name: 'greet' }]);
    await f.call({
      method: 'POST',
      url: '/v1/workflows/hello/executions',
      payload: { input: { name: 'SECRET-INPUT-VALUE' } },
    });
    await f.app.inject({ url: '/v1/workflows', headers: { authorization: 'Bearer WRONG-TOKEN-VALUE' } });
    const text = log.text();
    expect(text).toContain('request failed');
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('WRONG-TOKEN-VALUE');
    expect(text).not.toContain('SECRET-INPUT-VALUE');
    expect(text).not.toMatch(/\n\s+at |"stack"/);
  });

  it('logs a 503 CLOSED (the orchestrator shutting down) at info, not as a failed request', async () => {
    const log = capture();
    const f = await setup({ app: { logger: log.logger } });
    await define(f, 'hello', [{ name: 'greet' }]);
    await f.orch.close();
    const res = await f.call({ method: 'POST', url: '/v1/workflows/hello/executions', payload: {} });
    expect(res.statusCode).toBe(503);
    expect(envelope(res).code).toBe('CLOSED');
    const entries = log
      .text()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(entries.filter((e) => e.level >= 50)).toEqual([]);
    expect(entries.map((e) => e.msg)).toContain('request refused: closing');
  });

  it('logs why a request failed: the cause of its error (a response that does not match its schema)', async () => {
    const log = capture();
    const f = await setup({
      app: {
        logger: log.logger,
        plugins: [
          (scope) => {
            scope.get(
              '/v1/bad-shape',
              { schema: { response: { 200: z.object({ count: z.number() }) } } },
              async () => ({ count: 'many' }) as never,
            );
            scope.get('/v1/wrapped', async () => {
              throw new Error('could not build the page', { cause: new Error('the inner reason') });
            });
          },
        ],
      },
    });
    expect((await f.call({ url: '/v1/bad-shape' })).statusCode).toBe(500);
    expect((await f.call({ url: '/v1/wrapped' })).statusCode).toBe(500);
    const failed = log
      .text()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { msg: string; error?: { cause?: { message?: string } } })
      .filter((l) => l.msg === 'request failed');
    expect(failed).toHaveLength(2);
    // Which field did not match, not only "Response doesn't match the schema".
    expect(failed[0]?.error?.cause?.message).toContain('count');
    expect(failed[1]?.error?.cause?.message).toBe('the inner reason');
    expect(log.text()).not.toMatch(/\n\s+at |"stack"/);
  });

  it('redacts authorization headers if a line logs them', () => {
    const log = capture();
    // A request is logged by method, URL and address only (logged-request.ts): no headers at all.
    log.logger.info({ req: { headers: { authorization: AUTH.authorization, cookie: 'sid=1' } } }, 'x');
    log.logger.info({ headers: { authorization: AUTH.authorization, cookie: 'sid=1' } }, 'y');
    expect(log.text()).not.toContain(TOKEN);
    expect(log.text()).not.toContain('sid=1');
    expect(log.text()).toContain('[Redacted]');
  });
});

describe('extra plugins', () => {
  it('need the token by default, can opt out, and can verify tokens', async () => {
    const f = await setup({
      app: {
        plugins: [
          (scope, context) => {
            scope.get('/dashboard/data', async () => ({
              workflows: context.orch.workflowEngine.listWorkflows().length,
            }));
            scope.get('/dashboard', { config: { auth: false } }, async (req) => ({
              signedIn: context.verifyToken(String((req.query as { t?: string }).t ?? '')),
            }));
          },
        ],
      },
    });
    expect((await f.app.inject({ url: '/dashboard/data' })).statusCode).toBe(401);
    expect((await f.call({ url: '/dashboard/data' })).json()).toEqual({ workflows: 0 });
    expect((await f.app.inject({ url: '/dashboard?t=nope' })).json()).toEqual({ signedIn: false });
    expect((await f.app.inject({ url: `/dashboard?t=${TOKEN}` })).json()).toEqual({ signedIn: true });
  });

  it('refuses to build without a token or with a bad body limit', async () => {
    const { buildApp } = await import('../../src/server/app.js');
    const f = await setup();
    await expect(buildApp(f.orch, { token: '' })).rejects.toThrow(/token/);
    await expect(buildApp(f.orch, { token: 'x', bodyLimit: 0 })).rejects.toThrow(/bodyLimit/);
  });
});

describe('response headers', () => {
  it('sends nosniff and no-store', async () => {
    const f = await setup();
    const res = await f.call({ url: '/v1/workflows' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('sends them on the refusals the router answers before any hook (bad URL, over-long parameter)', async () => {
    const f = await setup();
    for (const url of ['/v1/executions/%', `/v1/executions/${'e'.repeat(10_000)}`]) {
      const res = await f.call({ url });
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.headers['x-content-type-options'], url.slice(0, 20)).toBe('nosniff');
      expect(res.headers['cache-control'], url.slice(0, 20)).toBe('no-store');
    }
  });
});

describe('while the app closes', () => {
  it('answers a new request 503 CLOSED in the API envelope and closes its connection', async () => {
    const f = await setup();
    const closing = f.app.close();
    const res = await f.call({ url: '/v1/workflows' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ error: { code: 'CLOSED', message: 'The server is shutting down' } });
    expect(res.headers.connection).toBe('close');
    await closing;
  });
});

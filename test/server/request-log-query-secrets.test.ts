/**
 * `serve` logs every API request with its URL, query included. A token sent in the query — a
 * plausible first try, `curl 'localhost:8080/v1/workflows?token=…'`, which the API refuses (it
 * reads the `Authorization` header only) — was written to the log as sent, the API token with it.
 * The request log now masks the value of a query parameter whose name says it holds a secret
 * (`token`, `access_token`, `api_key`, `password`, …) as `***`, and keeps the others.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServerLogger } from '../../src/server/logger.js';
import { AUTH, closeAll, setup, TOKEN } from './helpers.js';

afterEach(closeAll);

describe('the request log', () => {
  it('masks query values named as secrets, keeps the other parameters', async () => {
    const lines: string[] = [];
    const logger = createServerLogger({
      level: 'info',
      destination: { write: (s: string) => lines.push(s) },
    });
    const f = await setup({ app: { logger } });
    const secrets = [TOKEN, 'acc-Secret-1', 'key-Secret-2', 'pw-Secret-3', 'sig-Secret-4'];
    const query = `token=${TOKEN}&access_token=acc-Secret-1&API_KEY=key-Secret-2&password=pw-Secret-3&X-Amz-Signature=sig-Secret-4&status=running&limit=5`;
    const refused = await f.app.inject({ url: `/v1/executions?${query}` });
    expect(refused.statusCode).toBe(401);
    await f.app.inject({ url: '/v1/executions?status=running&limit=5', headers: AUTH });
    const logged = lines.join('');
    for (const secret of secrets) expect(logged).not.toContain(secret);
    const urls = lines
      .map((l) => JSON.parse(l) as { req?: { url?: string } })
      .flatMap((l) => l.req?.url ?? []);
    expect(urls).toEqual([
      '/v1/executions?token=***&access_token=***&API_KEY=***&password=***&X-Amz-Signature=***&status=running&limit=5',
      '/v1/executions?status=running&limit=5',
    ]);
    // fastify's fields (remotePort too, which an injected request lacks)
    const request = JSON.parse(lines.find((l) => l.includes('incoming request')) ?? '{}') as { req: object };
    expect(Object.keys(request.req).sort()).toEqual(['host', 'method', 'remoteAddress', 'url']);
  });
});

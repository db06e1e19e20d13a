/**
 * The service's request log (`incoming request`, at info for every request) repeated the URL
 * whole, so a client sending its token in the query (`?access_token=`, as RFC 6750 allows, or
 * `?api_key=`) had it written to the log, even when the route refused it. The value of each query
 * parameter whose name looks like a secret is now masked `***`; the other parameters are kept.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServerLogger } from '../../../src/server/logger.js';
import { closeAll, setup, TOKEN } from '../../server/helpers.js';

afterEach(closeAll);

const SECRET = 'QrySecretValue77';

describe("the request log masks a secret-looking query parameter's value", () => {
  it('for a served and a refused request, other parameters kept', async () => {
    const lines: string[] = [];
    const logger = createServerLogger({
      level: 'info',
      destination: { write: (s: string) => lines.push(s) },
    });
    const f = await setup({ app: { logger } });
    await f.app.inject({
      url: `/v1/workflows?limit=5&access_token=${SECRET}`,
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    await f.app.inject({ url: `/v1/executions?status=failed&api_key=${SECRET}x&Pass%77ord=${SECRET}y` });
    const logged = lines.join('');
    expect(logged).not.toContain(SECRET);
    const urls = lines
      .map((line) => (JSON.parse(line) as { req?: { url?: string } }).req?.url)
      .filter(Boolean);
    expect(urls).toEqual([
      '/v1/workflows?limit=5&access_token=***',
      '/v1/executions?status=failed&api_key=***&Pass%77ord=***',
    ]);
  });
});

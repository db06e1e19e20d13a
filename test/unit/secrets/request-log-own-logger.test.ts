/**
 * `buildApp` given a pino logger of the app's own (not `createServerLogger`) logged each request
 * with fastify's serializer, the URL whole: `?access_token=…` reached the log. Each request's
 * logger now masks a secret-looking query parameter's value whatever the app's logger, a custom
 * `req` serializer of its own included.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, setup, TOKEN } from '../../server/helpers.js';

afterEach(closeAll);

const SECRET = 'OwnLoggerSecret31';

describe("an app's own pino logger", () => {
  it.each([
    ['without serializers', {}],
    [
      'with a req serializer of its own',
      { serializers: { req: (req: { url?: string }) => ({ url: req.url }) } },
    ],
  ])('%s logs a request with the secret masked', async (_what, options) => {
    const lines: string[] = [];
    const logger = pino({ level: 'info', ...options }, { write: (s: string) => lines.push(s) });
    const f = await setup({ app: { logger } });
    await f.app.inject({
      url: `/v1/workflows?api_key=${SECRET}&limit=2`,
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const urls = lines
      .map((line) => (JSON.parse(line) as { req?: { url?: string } }).req?.url)
      .filter(Boolean);
    expect(urls).toEqual(['/v1/workflows?api_key=***&limit=2']);
    expect(lines.join('')).not.toContain(SECRET);
  });
});

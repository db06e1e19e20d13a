/**
 * `GET /metrics` re-reads the stored definitions, waiting at most a second for the read
 * (`metrics-store-hangs.test.ts`). A read that fails instead must not fail the scrape either,
 * nor wait for that second: the scrape answers at once with the workflows this node knows. The
 * failure is logged, and neither the store's password (in its URL) nor the scraper's bearer
 * token reaches the log. On PostgreSQL (a URL with a password, which the test server ignores),
 * through the service logger as `serve` makes it, with the definitions table gone so that the
 * re-read fails on the server.
 */
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/index.js';
import { createServerLogger } from '../../src/server/logger.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { answerWithin } from '../helpers/orchestrator.js';
import { assertServerReachable, dropSchema, freshSchema, PG_URL, withClient } from '../store/pg-fixture.js';
import { closeAll, define, setup } from './helpers.js';

const PASSWORD = 'Sc4rce-Pw-91';
const TOKEN = 'scrape-token-Zq8-0123456789';
const SCHEMA = freshSchema();

beforeAll(assertServerReachable);
afterEach(closeAll);
afterAll(() => dropSchema(SCHEMA));

describe('GET /metrics while the re-read of the definitions fails', () => {
  it('answers at once with the workflows this node knows, and logs no secret', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createServerLogger({ level: 'debug', destination });
    const url = new URL(PG_URL);
    url.password = PASSWORD;
    const store = new PostgresStore(url.href, { schema: SCHEMA });
    const clock = new FakeClock();
    const f = await setup({ orchestrator: { store, clock, sweepInterval: 1, logger }, app: { logger } });
    await define(f, 'known', [{ name: 'greet' }]);
    await withClient((client) => client.query(`ALTER TABLE "${SCHEMA}".definitions RENAME TO gone`));
    await clock.advance(2_000); // the definitions are due for a re-read

    const scrape = await answerWithin(
      f.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } }),
      5_000,
    );
    if (typeof scrape === 'string') throw new Error(`GET /metrics: ${scrape}`);
    expect(scrape.statusCode).toBe(200);
    expect(scrape.body).toContain('orchestrator_executions_by_status{workflow="known"');
    const log = lines.join('');
    expect(log).toContain('could not re-read the stored workflow definitions');
    expect(log).toContain('does not exist');
    expect(log).not.toContain(PASSWORD);
    expect(log).not.toContain(TOKEN);
    await withClient((client) => client.query(`ALTER TABLE "${SCHEMA}".gone RENAME TO definitions`));
  });
});

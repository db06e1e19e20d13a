/**
 * An unreachable webhook whose host has several addresses (`localhost` as ::1 and 127.0.0.1, a
 * name with A and AAAA records): Node tries each and fetch's cause is an AggregateError with an
 * empty message, the reasons being in its `errors`. The log line still says why it failed.
 */
import { connect, createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createAlertWebhook } from '../../src/server/alert-webhook.js';
import { memoryLogger } from '../helpers/orchestrator.js';
import { sampleAlert as alert } from '../helpers/sample-alert.js';

/** A closed port on the loopback. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The error Node gives for a host of two addresses that both refuse: an AggregateError. */
async function refusedOnEveryAddress(port: number): Promise<Error> {
  return new Promise((resolve) => {
    const socket = connect({
      host: 'dual.example',
      port,
      autoSelectFamily: true,
      lookup: (_host, _options, callback) =>
        (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [
          { address: '::1', family: 6 },
          { address: '127.0.0.1', family: 4 },
        ]),
    });
    socket.on('error', resolve);
  });
}

describe('alert webhook failure on a host of several addresses', () => {
  it('logs the reasons of the attempts, not a bare fetch failed', async () => {
    const port = await closedPort();
    const cause = await refusedOnEveryAddress(port);
    expect(cause).toBeInstanceOf(AggregateError);
    expect(cause.message).toBe('');
    const logger = memoryLogger();
    const webhook = createAlertWebhook({
      url: `http://user:pa55@dual.example:${port}/hook/s3cret-path`,
      logger,
      fetch: async () => {
        throw new TypeError('fetch failed', { cause });
      },
    });
    webhook.send(alert);
    await webhook.flush();
    expect(logger.lines.map((l) => l.msg)).toEqual(['alert webhook failed']);
    // Each attempt's reason (the ::1 one differs on a host without IPv6).
    const error = String((logger.lines[0]?.obj as { error?: unknown } | undefined)?.error);
    expect(error).toMatch(/^fetch failed: connect \S+ ::1:\d+/);
    expect(error.endsWith(`; connect ECONNREFUSED 127.0.0.1:${port}`)).toBe(true);
    expect(JSON.stringify(logger.lines)).not.toMatch(/pa55|s3cret/);
  });
});

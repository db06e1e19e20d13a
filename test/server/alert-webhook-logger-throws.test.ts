/**
 * The webhook reports a refused or failed delivery to the service's logger. A logger that
 * throws (a destination that fails: pino rethrows any write error but EPIPE) loses that report,
 * as the engine's guarded logger does: before, the delivery's promise rejected with nobody to
 * catch it, and an unhandled rejection ends a Node process — the whole service, for a log line.
 */
import { describe, expect, it } from 'vitest';
import { createAlertWebhook } from '../../src/server/alert-webhook.js';
import { sampleAlert as alert } from '../helpers/sample-alert.js';

const throwingLogger = {
  debug() {},
  info() {},
  warn() {
    throw new Error('EBADF: log destination closed');
  },
  error() {},
};

describe('alert webhook with a logger that throws', () => {
  it('drops the report: no unhandled rejection, and send never throws', async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      for (const fetch of [
        async () => new Response(null, { status: 500 }),
        async () => Promise.reject(new TypeError('fetch failed')),
      ]) {
        const webhook = createAlertWebhook({
          url: 'http://hook.example/alerts',
          logger: throwingLogger,
          fetch,
          maxInFlight: 1,
        });
        webhook.send(alert);
        // The second finds the first in flight: dropped, and its warning throws too.
        expect(() => webhook.send(alert)).not.toThrow();
        expect(webhook.dropped).toBe(1);
        // Unhandled rejections are reported once the microtasks have run, before the next turn.
        await new Promise((resolve) => setImmediate(resolve));
        await webhook.flush();
      }
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });
});

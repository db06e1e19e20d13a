/**
 * The remote worker's own waits (backoff after a failed request, how long a report is retried) are
 * measured on a monotonic clock: when the system clock is stepped back (an NTP correction, a VM
 * resumed from a snapshot) a worker backing off for half a second used to sit idle for the size
 * of the step — a day here — before it registered or polled again.
 */
import { createServer } from 'node:http';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { createRemoteWorker } from '../../src/index.js';
import { listenForTest } from '../helpers/listen.js';

const DAY_MS = 86_400_000;

describe('a remote worker whose system clock is stepped back', () => {
  it('ends a backoff after its own length, not after the clock catches up', async () => {
    let registrations = 0;
    let registered!: () => void;
    const again = new Promise<void>((resolve) => {
      registered = resolve;
    });
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.method === 'POST' && req.url === '/v1/remote-workers') {
          registrations++;
          if (registrations === 1) {
            res.writeHead(503, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ error: { code: 'CLOSED', message: 'starting' } }));
            return;
          }
          registered();
          res.writeHead(201, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ workerId: 'rw_x', leaseSeconds: 30, pollSeconds: 1 }));
          return;
        }
        // Polls find nothing (after a moment, as a long poll would); deregistration succeeds.
        setTimeout(() => {
          res.writeHead(204);
          res.end();
        }, 50);
      });
    });
    const base = await listenForTest(server);
    const w = createRemoteWorker({ url: base, token: 't', actions: { job: () => 1 } });
    onTestFinished(() => w.stop());

    await w.start(); // the 503 leaves it backing off (at most 500 ms after a first failure)
    const realNow = Date.now.bind(Date);
    const stepped = vi.spyOn(Date, 'now').mockImplementation(() => realNow() - DAY_MS);
    onTestFinished(() => stepped.mockRestore());

    const outcome = await Promise.race([
      again.then(() => 'registered'),
      new Promise((resolve) => setTimeout(() => resolve('still backing off'), 5_000)),
    ]);
    expect(outcome).toBe('registered');
    expect(w.registrations[0]?.workerId === 'rw_x' || registrations === 2).toBe(true);
  });
});

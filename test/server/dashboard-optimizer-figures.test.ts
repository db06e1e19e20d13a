/**
 * The workflow page shows the optimizer's figures as the library gives them: the version they
 * describe, each step's time between attempts, time waiting for a remote worker and compensation
 * time, beside its average.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDashboard } from '../../src/server/dashboard/index.js';
import { closeAll, define, setup, TOKEN } from './helpers.js';

afterEach(closeAll);

describe('dashboard workflow page, optimizer figures', () => {
  it("shows the version, Waiting, Queued and Compensation columns from the optimizer's step stats", async () => {
    const f = await setup({ app: { plugins: [createDashboard()] } });
    await define(f, 'order', [{ name: 'reserve' }, { name: 'charge' }]);
    const po = f.orch.performanceOptimizer;
    po.recordStep('order', 'reserve', 3_300, { waitMs: 3_000, version: 1 });
    po.recordCompensation('order', 'reserve', 5_000, { version: 1 });
    po.recordStep('order', 'charge', 2_000, { queuedMs: 1_500, version: 1 });
    po.recordExecution('order', 10_300, 1);

    const signIn = await f.app.inject({
      method: 'POST',
      url: '/login',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'http://localhost:80',
        host: 'localhost:80',
      },
      payload: `token=${encodeURIComponent(TOKEN)}`,
    });
    const cookie = String(signIn.headers['set-cookie']).split(';')[0] as string;
    const page = await f.app.inject({ url: '/workflows/order', headers: { cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('recorded since this node started, of v1');
    const row = (step: string) =>
      [
        ...(new RegExp(`<tr data-step="${step}"[^>]*>([\\s\\S]*?)</tr>`).exec(page.body)?.[1] ?? '').matchAll(
          /<td class="num">([^<]*)<\/td>/g,
        ),
      ].map((m) => m[1]);
    // Runs, Avg, p95, Waiting, Queued, Compensation, Retries, Failures
    expect(row('reserve')).toEqual(['1', '3.30 s', '3.30 s', '3.00 s', '0 ms', '5.00 s', '0', '0']);
    expect(row('charge')).toEqual(['1', '2.00 s', '2.00 s', '0 ms', '1.50 s', '–', '0', '0']);
  });
});

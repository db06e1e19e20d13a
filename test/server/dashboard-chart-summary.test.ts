/**
 * The overview's charts were pictures (`role=img`) named "Throughput chart" and "Latency chart"
 * only: a screen reader heard none of the figures they show. Each is now named by a summary of
 * them, written on the server from the same series, and refreshed with the stats.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { latencySummary, throughputSummary } from '../../src/server/dashboard/chart-summary.js';
import { createDashboard } from '../../src/server/dashboard/index.js';
import { RecentSeries } from '../../src/server/dashboard/series.js';
import { closeAll, define, setup, signedInCookie, start } from './helpers.js';

afterEach(closeAll);

const T0 = 1_764_806_400_000;

describe('chart summaries', () => {
  it('say what finished, the peak and the latest bucket, and the range of times', () => {
    const s = new RecentSeries({ bucketMs: 5000, buckets: 120 });
    expect(throughputSummary(s.snapshot(T0))).toBe('Throughput, last 10 min: no execution finished.');
    expect(latencySummary(s.snapshot(T0))).toBe(
      'Latency, last 10 min: no execution finished with a duration.',
    );

    for (const ms of [100, 300, 200]) s.record(T0, 'completed', ms);
    s.record(T0, 'failed', 1500);
    s.record(T0 + 5000, 'cancelled', null); // ended while queued: counted, no duration
    const later = s.snapshot(T0 + 5000);
    expect(throughputSummary(later)).toBe(
      'Throughput, last 10 min: 5 executions finished (1 failed, 1 cancelled); at most 4 per 5 s, 1 in the latest 5 s.',
    );
    expect(latencySummary(later)).toBe(
      'Latency, last 10 min: average 525 ms, p95 at most 1.50 s; none finished in the latest 5 s.',
    );
    s.record(T0 + 5000, 'completed', 40);
    expect(latencySummary(s.snapshot(T0 + 5000))).toBe(
      'Latency, last 10 min: average 40 ms to 525 ms, p95 at most 1.50 s; latest 5 s: average 40 ms, p95 40 ms.',
    );
    expect(throughputSummary(s.snapshot(T0 + 5000))).toBe(
      'Throughput, last 10 min: 6 executions finished (1 failed, 1 cancelled); at most 4 per 5 s, 2 in the latest 5 s.',
    );
  });

  it('name the overview charts, and come again with each refresh of the stats', async () => {
    const now = T0;
    const f = await setup({ app: { plugins: [createDashboard({ now: () => now })] } });
    const cookie = await signedInCookie(f);
    const page = await f.app.inject({ url: '/', headers: { cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(
      'data-chart="throughput" data-src="/ui/series.json" role="img" aria-labelledby="throughput-summary"',
    );
    expect(page.body).toContain(
      'data-chart="latency" data-src="/ui/series.json" role="img" aria-labelledby="latency-summary"',
    );
    expect(page.body).toContain(
      '<p id="throughput-summary" hidden>Throughput, last 10 min: no execution finished.</p>',
    );
    expect(page.body).toContain(
      '<p id="latency-summary" hidden>Latency, last 10 min: no execution finished with a duration.</p>',
    );

    await define(f, 'hello', [{ name: 'greet' }]);
    for (let i = 0; i < 2; i++)
      await f.orch.workflowEngine.waitForCompletion(await start(f, 'hello'), { timeout: 5 });
    const live = await f.app.inject({ url: '/ui/overview', headers: { cookie, 'hx-request': 'true' } });
    expect(live.statusCode).toBe(200);
    expect(live.body).toContain(
      '<p id="throughput-summary" hidden hx-swap-oob="true">Throughput, last 10 min: 2 executions finished; at most 2 per 5 s, 2 in the latest 5 s.</p>',
    );
    expect(live.body).toMatch(
      /<p id="latency-summary" hidden hx-swap-oob="true">Latency, last 10 min: average \d+ ms, p95 at most \d+ ms; latest 5 s: average \d+ ms, p95 \d+ ms\.<\/p>/,
    );
  });
});

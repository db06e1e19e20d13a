/**
 * The overview's charts were pictures (`role=img`) named "Throughput chart" and "Latency chart"
 * only: a screen reader heard none of the figures they show. Each is now named by a summary of
 * them, written on the server from the same series. They were refreshed with the stats (every
 * 2 s) while the charts redrew from `/ui/series.json` (every 5 s), so the words could describe
 * another moment than the picture; they now come with the series, and the page's script sets them
 * as it redraws (the browser test in test/browser/dashboard.test.ts).
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

  it('name the overview charts, and come with each series the charts draw, from the same snapshot', async () => {
    let now = T0;
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
    const res = await f.app.inject({ url: '/ui/series.json', headers: { cookie } });
    expect(res.statusCode).toBe(200);
    const data = res.json();
    expect(data.summary.throughput).toBe(
      'Throughput, last 10 min: 2 executions finished; at most 2 per 5 s, 2 in the latest 5 s.',
    );
    expect(data.summary.latency).toMatch(
      /^Latency, last 10 min: average \d+ ms, p95 at most \d+ ms; latest 5 s: average \d+ ms, p95 \d+ ms\.$/,
    );
    // The words describe the series they come with: the same snapshot, whatever the time.
    now = T0 + 5_000;
    const later = (await f.app.inject({ url: '/ui/series.json', headers: { cookie } })).json();
    expect(later.summary).toEqual({
      throughput: throughputSummary(later),
      latency: latencySummary(later),
    });
    expect(later.summary.throughput).toContain('0 in the latest 5 s');
    // The stats' refresh no longer swaps them: two sources a moment apart could disagree.
    const live = await f.app.inject({ url: '/ui/overview', headers: { cookie, 'hx-request': 'true' } });
    expect(live.statusCode).toBe(200);
    expect(live.body).not.toContain('throughput-summary');
    expect(live.body).not.toContain('latency-summary');
  });
});

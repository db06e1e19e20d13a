/**
 * The chart buckets were identified by their start time, a multiple of the bucket width computed
 * two ways: `floor(at / width) × width` where a sample was recorded, `last − k × width` where the
 * window was read. With a width that is no whole number of milliseconds (`bucketSeconds: 0.0101`,
 * 10.1 ms) the two differ in their last bits, so a sample was filed in a bucket the chart then
 * never found (it drew 0), and a slot could be read for the wrong bucket. Buckets are now
 * identified by their integer index, `floor(at / width)`, in both places.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDashboard } from '../../src/server/dashboard/index.js';
import { RecentSeries } from '../../src/server/dashboard/series.js';
import { closeAll, define, setup, signedInCookie, start } from './helpers.js';

afterEach(closeAll);

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('chart buckets of a fractional width', () => {
  it('keeps every sample of the window, in the bucket that holds it', () => {
    const width = 10.1;
    for (let i = 0; i < 50; i++) {
      const at = 1_764_806_400_000 + i * 997.37;
      const s = new RecentSeries({ bucketMs: width, buckets: 10 });
      s.record(at, 'completed', 5);
      for (let j = 0; j < 10; j++) {
        const snap = s.snapshot(at + j * width);
        expect(sum(snap.completed), `sample at ${at}, read ${j} buckets later`).toBe(1);
        const k = snap.completed.indexOf(1);
        const start = (snap.t[k] as number) * 1000;
        expect(at).toBeGreaterThanOrEqual(start - 1e-3);
        expect(at).toBeLessThan(start + width + 1e-3);
        expect(snap.avgMs[k]).toBe(5);
      }
      // Out of the window once ten newer buckets have passed.
      expect(sum(s.snapshot(at + 10 * width).completed)).toBe(0);
    }
  });

  it('lists each bucket once, oldest first, a width apart', () => {
    const s = new RecentSeries({ bucketMs: 0.3, buckets: 8 });
    const snap = s.snapshot(1_700_000_000_064.42);
    expect(new Set(snap.t).size).toBe(8);
    // Epoch seconds near 1.7e9 carry about 0.24 µs: a width apart to that precision.
    for (let k = 1; k < snap.t.length; k++) {
      expect(((snap.t[k] as number) - (snap.t[k - 1] as number)) * 1000).toBeCloseTo(0.3, 3);
    }
  });

  it('drops a sample older than the bucket its slot now holds', () => {
    const s = new RecentSeries({ bucketMs: 10.1, buckets: 4 });
    const at = 1_764_806_400_000.5;
    s.record(at + 4 * 10.1, 'failed', null);
    s.record(at, 'completed', 1);
    const snap = s.snapshot(at + 4 * 10.1);
    expect(sum(snap.failed)).toBe(1);
    expect(sum(snap.completed)).toBe(0);
  });

  it('charts a finished execution on a dashboard with a fractional bucket and clock', async () => {
    let now = 1_764_806_400_000 + 997.37;
    const f = await setup({
      app: {
        plugins: [createDashboard({ bucketSeconds: 0.0101, windowMinutes: 0.001, now: () => now })],
      },
    });
    await define(f, 'hello', [{ name: 'greet' }]);
    const cookie = await signedInCookie(f);
    // Each execution finishes about a second after the last, so the window holds just that one.
    for (let i = 0; i < 8; i++) {
      now = 1_764_806_400_000 + i * 997.37;
      await f.orch.workflowEngine.waitForCompletion(await start(f, 'hello'), { timeout: 5 });
      now += 3 * 10.1;
      const res = await f.app.inject({ url: '/ui/series.json', headers: { cookie } });
      expect(res.statusCode).toBe(200);
      expect(sum(res.json().completed), `finished at ${now - 3 * 10.1}`).toBe(1);
    }
  });
});

/**
 * Dashboard building blocks on their own: the escaping template, sessions and cookies, the
 * sign-in redirect guard, the recent-time series, the timeline layout and the formatters.
 */
import { describe, expect, it } from 'vitest';
import {
  formatAgo,
  formatDuration,
  formatPercent,
  formatSpan,
  jsonBlock,
} from '../../src/server/dashboard/format.js';
import { esc, html, join, raw } from '../../src/server/dashboard/html.js';
import { safeNext } from '../../src/server/dashboard/pages/login.js';
import { percentile, RecentSeries } from '../../src/server/dashboard/series.js';
import {
  LoginLimiter,
  readCookie,
  SessionManager,
  serializeCookie,
} from '../../src/server/dashboard/session.js';
import { buildTimeline, renderTimeline } from '../../src/server/dashboard/timeline.js';
import type { ExecutionStatus } from '../../src/types.js';

describe('html', () => {
  it('escapes & < > " \' in every interpolated value', () => {
    expect(esc(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
    const name = '<img src=x onerror=alert(1)>';
    expect(html`<td title="${name}">${name}</td>`.value).toBe(
      '<td title="&lt;img src=x onerror=alert(1)&gt;">&lt;img src=x onerror=alert(1)&gt;</td>',
    );
  });

  it('shows the bidirectional controls as \\uXXXX, so that an override cannot turn the text after it around', () => {
    expect(esc('"héllo \u202eevil", \u2066a\u2069 \u200f\u061c')).toBe(
      '&quot;héllo \\u202eevil&quot;, \\u2066a\\u2069 \\u200f\\u061c',
    );
    // Right-to-left text itself is kept: only the invisible controls are shown.
    expect(esc('שלום مرحبا')).toBe('שלום مرحبا');
  });

  it('nests fragments, joins arrays and drops null, undefined and false', () => {
    const items = ['<b>', 'c'].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${0}`.value).toBe(
      '<ul><li>&lt;b&gt;</li><li>c</li></ul>0',
    );
    expect(html`${raw('<hr>')}`.value).toBe('<hr>');
    expect(join(['<a>', html`<b>`], ', ').value).toBe('&lt;a&gt;, <b>');
    // A string that looks like a fragment is still a string.
    expect(html`${{ value: '<x>' }}`.value).toBe('[object Object]');
  });
});

describe('sessions', () => {
  it('verifies its own values, refuses forged, expired and revoked ones', () => {
    let now = 1_000_000;
    const sessions = new SessionManager({ ttlMs: 60_000, now: () => now });
    const { session, value } = sessions.create();
    expect(sessions.verify(value)).toEqual(session);
    const [nonce, exp, sig] = value.split('.') as [string, string, string];
    expect(sessions.verify(`${nonce}.${(now + 10 ** 9).toString(36)}.${sig}`)).toBeNull();
    expect(sessions.verify(`${nonce}x.${exp}.${sig}`)).toBeNull();
    expect(sessions.verify(`${nonce}.${exp}`)).toBeNull();
    expect(sessions.verify(undefined)).toBeNull();
    expect(new SessionManager().verify(value)).toBeNull(); // another secret
    now += 60_000;
    expect(sessions.verify(value)).toBeNull();
    now -= 30_000;
    sessions.revoke(session);
    expect(sessions.verify(value)).toBeNull();
  });

  it('gives each session its own CSRF token and checks it in constant time', () => {
    const sessions = new SessionManager({ secret: 'k' });
    const a = sessions.create().session;
    const b = sessions.create().session;
    expect(a.csrf).not.toBe(b.csrf);
    expect(sessions.checkCsrf(a, a.csrf)).toBe(true);
    expect(sessions.checkCsrf(a, b.csrf)).toBe(false);
    expect(sessions.checkCsrf(a, undefined)).toBe(false);
    expect(sessions.checkCsrf(a, [a.csrf])).toBe(false);
    // The same secret verifies the same cookies (several nodes, or a restart with a fixed secret).
    expect(new SessionManager({ secret: 'k' }).verify(sessions.create().value)).not.toBeNull();
  });

  it('serializes cookies with HttpOnly, SameSite=Strict, Path=/ and Secure over https', () => {
    expect(serializeCookie('s', 'v', { secure: true, maxAge: 60 })).toBe(
      's=v; Path=/; HttpOnly; SameSite=Strict; Max-Age=60; Secure',
    );
    expect(serializeCookie('s', '', { secure: false, maxAge: 0 })).toBe(
      's=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0',
    );
    expect(readCookie('a=1; s=two; b=3', 's')).toBe('two');
    expect(readCookie('as=1', 's')).toBeUndefined();
    expect(readCookie(undefined, 's')).toBeUndefined();
  });

  it('limits failed sign-ins per client within a window', () => {
    let now = 0;
    const limiter = new LoginLimiter({ max: 2, windowMs: 1000, now: () => now });
    limiter.fail('a');
    limiter.fail('a');
    expect(limiter.allowed('a')).toBe(false);
    expect(limiter.allowed('b')).toBe(true);
    now = 1000;
    expect(limiter.allowed('a')).toBe(true);
    limiter.fail('a');
    limiter.reset('a');
    expect(limiter.allowed('a')).toBe(true);
  });

  it('does not lock a client out for the size of a system clock step back', () => {
    let now = 86_400_000;
    const limiter = new LoginLimiter({ max: 2, windowMs: 1000, now: () => now });
    limiter.fail('a');
    limiter.fail('a');
    expect(limiter.allowed('a')).toBe(false);
    now -= 86_400_000; // an NTP step back of a day: the window used to last until the clock caught up
    now += 1000;
    expect(limiter.allowed('a')).toBe(true);
  });

  it('only lets sign-in redirect to local paths', () => {
    expect(safeNext('/executions?status=failed')).toBe('/executions?status=failed');
    for (const bad of [
      '//evil.example',
      '/\\evil.example',
      'https://evil.example',
      'javascript:x',
      '/a\nb',
      7,
    ]) {
      expect(safeNext(bad)).toBe('/');
    }
  });
});

describe('RecentSeries', () => {
  it('counts outcomes and latencies per bucket over a sliding window', () => {
    const s = new RecentSeries({ bucketMs: 1000, buckets: 5 });
    s.record(10_100, 'completed', 100);
    s.record(10_900, 'completed', 300);
    s.record(11_500, 'failed', 50);
    s.record(13_000, 'cancelled', 10);
    const snap = s.snapshot(14_200);
    expect(snap.t).toEqual([10, 11, 12, 13, 14]);
    expect(snap.completed).toEqual([2, 0, 0, 0, 0]);
    expect(snap.failed).toEqual([0, 1, 0, 0, 0]);
    expect(snap.cancelled).toEqual([0, 0, 0, 1, 0]);
    expect(snap.avgMs).toEqual([200, 50, null, 10, null]);
    expect(snap.p95Ms).toEqual([300, 50, null, 10, null]);
    // Later, the old buckets fall out of the window and their slots are reused.
    s.record(15_100, 'completed', 7);
    const later = s.snapshot(15_500);
    expect(later.t).toEqual([11, 12, 13, 14, 15]);
    expect(later.completed).toEqual([0, 0, 0, 0, 1]);
    // A sample older than the slot's bucket is dropped, not mixed into the newer bucket.
    s.record(10_200, 'completed', 1);
    expect(s.snapshot(15_500).completed).toEqual([0, 0, 0, 0, 1]);
  });

  it('keeps a bounded sample per bucket', () => {
    const s = new RecentSeries({ bucketMs: 1000, buckets: 2, samplesPerBucket: 16 });
    for (let i = 0; i < 10_000; i++) s.record(5000, 'completed', i % 100);
    const snap = s.snapshot(5000);
    expect(snap.completed.at(-1)).toBe(10_000);
    expect(snap.avgMs.at(-1)).toBe(50);
    expect(percentile([5, 1, 3, 2, 4], 95)).toBe(5);
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
  });
});

const at = (ms: number) => new Date(1_800_000_000_000 + ms);

function failedPipeline(): ExecutionStatus {
  const err = { code: 'SERVICE_UNAVAILABLE', message: 'down', step: 'orders' };
  return {
    id: 'exec_1',
    workflowId: 'pipeline',
    workflowVersion: 1,
    status: 'failed',
    startedAt: at(0),
    completedAt: at(1000),
    stepsCompleted: 2,
    totalSteps: 4,
    inputData: {},
    outputData: {},
    compensatedSteps: ['load', 'extract'],
    error: { code: 'BOOM', message: 'publish failed', step: 'publish' },
    steps: [
      {
        name: 'extract',
        status: 'completed',
        attempts: 1,
        startedAt: at(0),
        completedAt: at(100),
        durationMs: 100,
        history: [{ attempt: 1, startedAt: at(0), completedAt: at(100), durationMs: 100 }],
        compensation: { status: 'completed', attempts: 1, startedAt: at(900), completedAt: at(1000) },
      },
      {
        name: 'transform',
        status: 'completed',
        attempts: 1,
        startedAt: at(100),
        completedAt: at(500),
        history: [{ attempt: 1, startedAt: at(100), completedAt: at(500) }],
        branches: [
          {
            name: 'orders',
            status: 'completed',
            attempts: 2,
            history: [
              { attempt: 1, startedAt: at(100), completedAt: at(150), error: err, retryAt: at(400) },
              { attempt: 2, startedAt: at(410), completedAt: at(500) },
            ],
          },
          {
            name: 'customers',
            status: 'completed',
            attempts: 1,
            history: [{ attempt: 1, startedAt: at(100), completedAt: at(200) }],
          },
        ],
      },
      {
        name: 'load',
        status: 'completed',
        attempts: 1,
        startedAt: at(500),
        completedAt: at(700),
        history: [{ attempt: 1, startedAt: at(500), completedAt: at(700) }],
        compensation: { status: 'completed', attempts: 1, startedAt: at(800), completedAt: at(900) },
      },
      {
        name: 'publish',
        status: 'failed',
        attempts: 1,
        startedAt: at(700),
        completedAt: at(800),
        error: { code: 'BOOM', message: 'publish failed', step: 'publish' },
        history: [
          {
            attempt: 1,
            startedAt: at(700),
            completedAt: at(800),
            error: { code: 'BOOM', message: 'publish failed', step: 'publish' },
          },
        ],
      },
      { name: 'report', status: 'skipped', attempts: 0 },
    ],
  };
}

describe('timeline', () => {
  it('draws one bar per attempt, retry waits, branches under their parallel step, compensations last', () => {
    const tl = buildTimeline(failedPipeline(), Date.now());
    const t0 = at(0).getTime();
    expect(tl.start).toBe(t0);
    expect(tl.end).toBe(t0 + 1000);
    expect(tl.rows.map((r) => `${r.kind}:${r.name}`)).toEqual([
      'step:extract',
      'parallel:transform',
      'branch:orders',
      'branch:customers',
      'step:load',
      'step:publish',
      'step:report',
      'compensation:load',
      'compensation:extract',
    ]);
    const orders = tl.rows[2]!.segments.map((s) => [s.kind, s.outcome, s.from - t0, s.to - t0]);
    expect(orders).toEqual([
      ['attempt', 'error', 100, 150],
      ['wait', 'waiting', 150, 410],
      ['attempt', 'ok', 410, 500],
    ]);
    expect(tl.rows[1]!.segments[0]!.kind).toBe('span');
    expect(tl.rows[6]!.segments).toEqual([]);
    const comp = tl.rows.slice(7).map((r) => [r.segments[0]!.kind, r.segments[0]!.from - t0]);
    expect(comp).toEqual([
      ['compensation', 800],
      ['compensation', 900],
    ]);
    expect(tl.failureAt).toBe(t0 + 800);
  });

  it("draws the compensations of a looped step's earlier visits, named by visit", () => {
    const x = failedPipeline();
    x.steps[0]!.earlierCompensations = [
      { visit: 1, status: 'failed', attempts: 4, startedAt: at(1000), completedAt: at(1100) },
    ];
    x.completedAt = at(1100);
    const tl = buildTimeline(x, Date.now());
    expect(tl.rows.slice(7).map((r) => [r.name, r.status])).toEqual([
      ['load', 'compensation completed'],
      ['extract', 'compensation completed'],
      ['extract (visit 1)', 'compensation failed'],
    ]);
  });

  it('shows compensations that started in the same millisecond in the order they ran (reverse)', () => {
    const x = failedPipeline();
    // Fast handlers: every compensation starts and ends within one millisecond.
    x.steps[0]!.earlierCompensations = [
      { visit: 1, status: 'completed', attempts: 1, startedAt: at(800), completedAt: at(800) },
    ];
    x.steps[0]!.compensation = { status: 'completed', attempts: 1, startedAt: at(800), completedAt: at(800) };
    x.steps[2]!.compensation = { status: 'completed', attempts: 1, startedAt: at(800), completedAt: at(800) };
    x.steps[3]!.compensation = { status: 'running', attempts: 1 };
    const tl = buildTimeline(x, Date.now());
    expect(tl.rows.slice(7).map((r) => r.name)).toEqual(['load', 'extract', 'extract (visit 1)', 'publish']);
  });

  it('extends bars of a running execution to now, and a pending retry to its time', () => {
    const x = failedPipeline();
    x.status = 'running';
    delete x.completedAt;
    delete x.error;
    const publish = x.steps[3]!;
    publish.status = 'waiting';
    publish.history = [
      {
        attempt: 1,
        startedAt: at(700),
        completedAt: at(800),
        error: { code: 'X', message: 'y' },
        retryAt: at(3000),
      },
    ];
    x.steps[4] = {
      name: 'report',
      status: 'running',
      attempts: 1,
      history: [{ attempt: 1, startedAt: at(900) }],
    };
    for (const s of x.steps) delete s.compensation;
    const tl = buildTimeline(x, at(1500).getTime());
    expect(tl.end).toBe(at(3000).getTime());
    const wait = tl.rows.find((r) => r.name === 'publish')!.segments[1]!;
    expect([wait.kind, wait.to]).toEqual(['wait', at(3000).getTime()]);
    const report = tl.rows.find((r) => r.name === 'report')!.segments[0]!;
    expect([report.outcome, report.to]).toEqual(['running', at(1500).getTime()]);
    expect(tl.failureAt).toBeNull();
  });

  it("draws a compensation waiting for its retry as waiting (not failed) up to now, then its retry wait to the next attempt's time", () => {
    const x = failedPipeline();
    x.status = 'compensating';
    delete x.completedAt;
    x.compensatedSteps = [];
    delete x.steps[0]!.compensation;
    x.steps[2]!.compensation = {
      status: 'running',
      attempts: 1,
      startedAt: at(800),
      error: { code: 'E_BUSY', message: 'busy' },
      nextAttemptAt: at(2500),
    };
    const tl = buildTimeline(x, at(1500).getTime());
    const row = tl.rows.find((r) => r.kind === 'compensation' && r.name === 'load')!;
    const t0 = at(0).getTime();
    expect(row.segments.map((s) => [s.kind, s.outcome, s.from - t0, s.to - t0])).toEqual([
      ['compensation', 'waiting', 800, 1500],
      ['wait', 'waiting', 1500, 2500],
    ]);
    expect(row.status).toBe('compensation waiting');
    expect(row.segments[0]!.title).toBe(
      'undo load · 700 ms · waiting to retry, attempt 1 failed: E_BUSY: busy',
    );
    expect(row.segments[1]!.title).toBe(
      'undo load · retry wait until 2027-01-15 08:00:02 UTC before attempt 2',
    );
    expect(tl.end).toBe(at(2500).getTime());
  });

  it('renders SVG with percentage positions and escaped names, without inline styles', () => {
    const x = failedPipeline();
    x.steps[0]!.error = { code: '<b>', message: '<img src=x onerror=alert(1)>' };
    x.steps[0]!.history![0]!.error = { code: '<b>', message: '<img src=x onerror=alert(1)>' };
    const out = renderTimeline(buildTimeline(x, Date.now())).value;
    expect(out).toContain('class="tl-bar tl-wait tl-waiting" x="15.000%" y="4" width="26.000%"');
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(out).not.toContain('<img');
    expect(out).not.toMatch(/\sstyle=/);
  });
});

describe('format', () => {
  it('formats durations and rates', () => {
    expect(formatDuration(840)).toBe('840 ms');
    expect(formatDuration(1250)).toBe('1.25 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(formatDuration(undefined)).toBe('–');
    expect(formatPercent(0.975)).toBe('97.5 %');
    expect(formatPercent(1)).toBe('100.0 %');
    expect(formatPercent(0)).toBe('0.0 %');
    // A success rate of 99.96 % is not every execution, a retry rate of 1 in 10,000 not none.
    expect(formatPercent(0.9996)).toBe('>99.9 %');
    expect(formatPercent(0.0001)).toBe('<0.1 %');
    expect(formatPercent(0.996, 0)).toBe('>99 %');
    expect(formatPercent(0.3, 0)).toBe('30 %');
    expect(formatPercent(Number.NaN)).toBe('–');
    expect([formatSpan(5000), formatSpan(600_000), formatSpan(90_000)]).toEqual([
      '5 s',
      '10 min',
      '1 min 30 s',
    ]);
  });

  it('carries a duration that rounds up to the next unit into it', () => {
    // Each part was rounded on its own: 119.6 s read '1 min 60 s', 1 h 59 min 40 s '1 h 60 min',
    // 999.6 ms '1000 ms' and 59.96 s '60.0 s'.
    expect([999.6, 9_996, 59_960, 119_600, 3_599_600, 7_180_000].map((ms) => formatDuration(ms))).toEqual([
      '1.00 s',
      '10.0 s',
      '1 min 0 s',
      '2 min 0 s',
      '1 h 0 min',
      '2 h 0 min',
    ]);
    expect([999.4, 9_994, 59_940, 119_400, 7_160_000].map((ms) => formatDuration(ms))).toEqual([
      '999 ms',
      '9.99 s',
      '59.9 s',
      '1 min 59 s',
      '1 h 59 min',
    ]);
  });

  it('writes a span under a minute as it is, not rounded to whole seconds', () => {
    // An alertWindowMinutes of 0.004 read 'No alerts in the last 0 s', a bucketSeconds of 0.5
    // 'executions finished per 1 s'.
    expect([formatSpan(240), formatSpan(500), formatSpan(1500), formatSpan(2250)]).toEqual([
      '240 ms',
      '500 ms',
      '1.5 s',
      '2.25 s',
    ]);
  });

  it('picks the unit after rounding: no "1000 ms" or "60 s"', () => {
    expect([formatSpan(999.7), formatSpan(59_999.9), formatSpan(59_999.4)]).toEqual([
      '1 s',
      '1 min',
      '59.999 s',
    ]);
  });

  it('colours JSON with every token escaped', () => {
    const out = jsonBlock({ '<k>': '<script>x</script>', n: 1.5, ok: true, none: null }).value;
    expect(out).toContain('<span class="j-key">&quot;&lt;k&gt;&quot;</span>');
    expect(out).toContain('<span class="j-str">&quot;&lt;script&gt;x&lt;/script&gt;&quot;</span>');
    expect(out).toContain('<span class="j-num">1.5</span>');
    expect(out).toContain('<span class="j-bool">true</span>');
    expect(out).toContain('<span class="j-null">null</span>');
    expect(out).not.toContain('<script>');
    expect(jsonBlock('x'.repeat(70_000)).value).toContain('cut at 65536 characters');
  });

  // The JSON text `"xx…x😀…"` with the emoji's first half at the last place kept: slice() left that
  // half alone at the end of the page (shown as U+FFFD); the cut now leaves the emoji out.
  it('cuts JSON at the display limit without splitting an emoji', () => {
    const out = jsonBlock(`${'x'.repeat(65_536 - 2)}😀 after the cut`).value;
    expect(out).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(out).toContain(`x</span><span class="j-cut">`);
    expect(out).toContain('cut at 65536 characters');
  });

  // 40,000 quotes are 80,000 characters of JSON, cut at 65,536 inside the string: after a `"`
  // (key x) or after a lone backslash (key xy). Matched up to the quote it never reaches, each
  // escaped quote of the tail took a scan to the end (about a second per block).
  it.each(['x', 'xy'])('colours a string cut at the display limit as one string (key %s)', (key) => {
    const out = jsonBlock({ [key]: '"'.repeat(40_000) }).value;
    const strings = out.match(/<span class="j-str">/g) ?? [];
    expect(strings).toHaveLength(1);
    expect(out).toMatch(/<span class="j-str">&quot;(\\&quot;)+\\?<\/span><span class="j-cut">/);
  });
});

describe('formatAgo', () => {
  const now = Date.UTC(2026, 11, 4, 12);
  it('counts whole units down, as a clock does, and switches to days from two days on', () => {
    const cases: [number, string][] = [
      [820.6, '820 ms ago'],
      [59_900, '59 s ago'],
      [60_000, '1 min ago'],
      [3_599_999, '59 min ago'],
      [3_600_000, '1 h ago'],
      [47.9 * 3_600_000, '47 h ago'],
      [48 * 3_600_000, '2 d ago'],
      [50 * 3_600_000, '2 d ago'],
      [400 * 86_400_000, '400 d ago'],
    ];
    expect(cases.map(([ms]) => formatAgo(now - ms, now))).toEqual(cases.map(([, text]) => text));
  });

  it('reads a time ahead of now (clocks of two nodes apart) as just now, and takes a Date', () => {
    expect(formatAgo(now + 5000, now)).toBe('just now');
    expect(formatAgo(new Date(now - 4000), now)).toBe('4 s ago');
  });
});

// Orchestrator dashboard: the overview's uPlot charts, fed from /ui/series.json and refreshed
// every 5 s, with their names in words (for a screen reader) from the same answer. Everything
// else is server-rendered HTML that htmx keeps up to date (this file only keeps the <details> a
// user opened open across those refreshes, and says when a refresh or an action failed). No
// inline code: the page's Content-Security-Policy allows scripts from this origin only.
(() => {
  const REFRESH_MS = 5000;
  const COLORS = {
    completed: '#16a34a',
    failed: '#dc2626',
    cancelled: '#64748b',
    avg: '#2563eb',
    p95: '#ea580c',
  };

  function formatMs(v) {
    if (v == null) return '–';
    // Below 10 ms with up to two decimals: rounded to whole ms, the ticks of a chart whose
    // latencies are all a few ms or less (0.2, 0.4, ...) read 0, 0, 0, 1, 1.
    if (v < 10) return `${Number(v.toFixed(2))} ms`;
    if (v < 1000) return `${Math.round(v)} ms`;
    return `${(v / 1000).toFixed(v < 10000 ? 2 : 1)} s`;
  }

  /** A tick of the time axis as local `HH:MM:SS`. */
  // UTC, as every other time on the dashboard (a chart's spike lines up with the executions'
  // "Started (UTC)"), whatever the browser's time zone.
  function clock(seconds) {
    const d = new Date(seconds * 1000);
    return [d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
      .map((n) => String(n).padStart(2, '0'))
      .join(':');
  }

  function fill(hex, alpha) {
    const n = Number.parseInt(hex.slice(1), 16);
    return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
  }

  /**
   * Indices of values with no value on either side: a line needs two neighbouring buckets, so
   * under light traffic (one execution per bucket) these would draw nothing without a point.
   */
  function isolated(u, seriesIdx) {
    const ys = u.data[seriesIdx];
    const out = [];
    for (let i = 0; i < ys.length; i++) {
      if (ys[i] != null && ys[i - 1] == null && ys[i + 1] == null) out.push(i);
    }
    return out;
  }
  const lonePoints = (color) => ({ show: false, size: 7, fill: color, filter: isolated });

  const KINDS = {
    throughput: {
      data: (s) => [s.t, s.completed, s.failed, s.cancelled],
      series: [
        {},
        { label: 'completed', stroke: COLORS.completed, fill: fill(COLORS.completed, 0.18), width: 2 },
        { label: 'failed', stroke: COLORS.failed, fill: fill(COLORS.failed, 0.15), width: 2 },
        { label: 'cancelled', stroke: COLORS.cancelled, width: 1.5, dash: [4, 4] },
      ],
      value: (_u, v) => (v == null ? '–' : String(v)),
      axis: (_u, ticks) => ticks.map((v) => String(v)),
      stepped: true,
    },
    latency: {
      data: (s) => [s.t, s.avgMs, s.p95Ms],
      series: [
        {},
        { label: 'average', stroke: COLORS.avg, width: 2, spanGaps: false, points: lonePoints(COLORS.avg) },
        { label: 'p95', stroke: COLORS.p95, width: 2, spanGaps: false, points: lonePoints(COLORS.p95) },
      ],
      value: (_u, v) => formatMs(v),
      axis: (_u, ticks) => ticks.map((v) => formatMs(v)),
      stepped: false,
    },
  };

  function options(kind, width) {
    const spec = KINDS[kind];
    const series = spec.series.map((s, i) => {
      if (i === 0) return { label: 'time', value: (_u, v) => (v == null ? '–' : clock(v)) };
      const out = Object.assign({ value: spec.value, points: { show: false } }, s);
      if (spec.stepped && typeof uPlot.paths?.stepped === 'function') {
        out.paths = uPlot.paths.stepped({ align: 1 });
      }
      return out;
    });
    return {
      width,
      height: 220,
      series,
      cursor: { drag: { x: false, y: false } },
      // Ticks on round UTC times (not the browser's zone's), to match the labels.
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      legend: { live: true },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
      axes: [
        {
          stroke: '#64748b',
          space: 70,
          values: (_u, ticks) => ticks.map(clock),
          grid: { stroke: '#eef2f7', width: 1 },
          ticks: { stroke: '#e2e8f0' },
        },
        {
          stroke: '#64748b',
          size: 64,
          values: spec.axis,
          grid: { stroke: '#eef2f7', width: 1 },
          ticks: { stroke: '#e2e8f0' },
        },
      ],
    };
  }

  async function fetchSeries(src) {
    const res = await fetch(src, { credentials: 'same-origin', headers: { accept: 'application/json' } });
    if (res.status === 401) {
      window.location.assign('/login');
      return null;
    }
    return res.ok ? res.json() : null;
  }

  function init() {
    const elements = Array.from(document.querySelectorAll('[data-chart]'));
    if (elements.length === 0 || typeof uPlot === 'undefined') return;
    const charts = [];
    const sources = new Set(elements.map((el) => el.dataset.src));

    async function refresh() {
      for (const src of sources) {
        let data;
        try {
          data = await fetchSeries(src);
        } catch {
          continue; // the server is restarting; the next tick tries again
        }
        if (!data) continue;
        for (const el of elements) {
          if (el.dataset.src !== src) continue;
          const kind = el.dataset.chart;
          if (!KINDS[kind]) continue;
          const rows = KINDS[kind].data(data);
          let chart = charts.find((c) => c.el === el);
          if (!chart) {
            chart = { el, plot: new uPlot(options(kind, el.clientWidth || 600), rows, el) };
            charts.push(chart);
          } else chart.plot.setData(rows);
          // The chart's name in words, from the same figures (see chart-summary.ts).
          const label = document.getElementById(el.getAttribute('aria-labelledby') ?? '');
          const words = data.summary?.[kind];
          if (label && typeof words === 'string') label.textContent = words;
        }
      }
    }

    if (typeof ResizeObserver === 'function') {
      const observer = new ResizeObserver(() => {
        for (const c of charts) c.plot.setSize({ width: c.el.clientWidth || 600, height: 220 });
      });
      for (const el of elements) observer.observe(el);
    }
    refresh();
    setInterval(() => {
      if (!document.hidden) refresh();
    }, REFRESH_MS);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();

// A running execution's detail is replaced every second: reopen the step outputs (and any
// other <details>) the user had opened, found again by their row's step and their summary.
(() => {
  const keyOf = (details) =>
    `${details.closest('[data-step]')?.dataset.step ?? ''}|${details.querySelector('summary')?.textContent ?? ''}`;
  let open = new Set();
  document.addEventListener('htmx:beforeSwap', (event) => {
    open = new Set(Array.from(event.detail.target?.querySelectorAll('details[open]') ?? [], keyOf));
  });
  document.addEventListener('htmx:afterSwap', () => {
    if (open.size === 0) return;
    for (const details of document.querySelectorAll('details:not([open])')) {
      if (open.has(keyOf(details))) details.open = true;
    }
    open = new Set();
  });
})();

// A swap (or an out-of-band one) replaces the element that had keyboard focus (a link in the
// executions list, say) and focus would fall back to the page's start: focus the same element in
// the new content, found by its id or by its row, tag, link and text (without scrolling to it).
(() => {
  const ROW = '[data-execution],[data-step],[data-workflow],[data-worker],[data-node]';
  const keyOf = (el) => {
    const row = el.closest(ROW);
    const rowKey = row
      ? ROW.split(',')
          .map((a) => row.getAttribute(a.slice(1, -1)) ?? '')
          .join('/')
      : '';
    return `${el.id}|${rowKey}|${el.tagName}|${el.getAttribute('href') ?? ''}|${el.textContent}`;
  };
  let focused = null;
  const remember = (target) => {
    const active = document.activeElement;
    if (active && active !== document.body && target?.contains(active)) focused = keyOf(active);
  };
  document.addEventListener('htmx:beforeSwap', (event) => {
    focused = null;
    remember(event.detail.target);
  });
  // A panel the answer replaces out of band (the overview's latest executions), after the above.
  document.addEventListener('htmx:oobBeforeSwap', (event) => remember(event.detail.target));
  document.addEventListener('htmx:afterSettle', () => {
    if (focused === null || (document.activeElement && document.activeElement !== document.body)) return;
    const key = focused;
    focused = null;
    const same = Array.from(document.querySelectorAll('a[href], button, summary, select, input')).find(
      (el) => keyOf(el) === key,
    );
    // Gone with what it did (the cancel button, once the execution is cancelled): the notice
    // saying what that was takes the focus instead, so the next Tab goes on from there.
    const target = same ?? document.querySelector('.notice[tabindex="-1"]');
    target?.focus({ preventScroll: true });
  });
})();

// A poll (hx-trigger="every ...") replaces its panel: not while the user has text selected in it
// (an execution id being copied, say), which the swap would drop; the next poll after the
// selection ends brings the panel up to date.
document.addEventListener('htmx:beforeSwap', (event) => {
  const source = event.detail.requestConfig?.elt ?? event.detail.elt;
  if (!/^\s*every\b/.test(source?.getAttribute?.('hx-trigger') ?? '')) return;
  const selection = window.getSelection();
  if (!selection || selection.isCollapsed || selection.rangeCount === 0) return;
  const target = event.detail.target;
  if (target && selection.getRangeAt(0).intersectsNode(target)) event.detail.shouldSwap = false;
});

// htmx swaps nothing for a request that fails (an error status, or no answer at all): a live
// panel would keep showing old figures as if they were current, and a cancel would seem to do
// nothing. Say so at the top of the page, with the server's message (as text, never markup). A
// refresh's notice goes once a refresh succeeds again; an action's (a cancel) once another
// action succeeds, or the page is left.
(() => {
  const ID = 'refresh-error';
  const STALE = ' This page is not up to date; retrying.';
  const isPoll = (elt) => /^\s*every\b/.test(elt?.getAttribute?.('hx-trigger') ?? '');

  function messageOf(xhr) {
    const doc = new DOMParser().parseFromString(xhr?.responseText ?? '', 'text/html');
    const text = doc.querySelector('.error-message')?.textContent?.trim();
    return text || `The server answered ${xhr?.status ?? 'with an error'}.`;
  }

  function show(text, poll) {
    let el = document.getElementById(ID);
    if (!el) {
      el = document.createElement('p');
      el.id = ID;
      el.className = 'notice notice-warn';
      el.setAttribute('role', 'alert');
      (document.querySelector('main') ?? document.body).prepend(el);
    }
    el.dataset.kind = poll ? 'poll' : 'action';
    // A server message without a full stop ("The orchestrator is closed") gets one before the note.
    el.textContent = poll ? (/[.!?]$/.test(text) ? text : `${text}.`) + STALE : text;
  }

  const NO_ANSWER = 'The dashboard service does not answer.';

  // A poll's failure, reported on its panel (which a failed refresh leaves in place).
  document.addEventListener('htmx:responseError', (event) => {
    if (isPoll(event.detail.elt)) show(messageOf(event.detail.xhr), true);
  });
  document.addEventListener('htmx:sendError', (event) => {
    if (isPoll(event.detail.elt)) show(NO_ANSWER, true);
  });
  // On the answer, not after the request: once a poll's panel is swapped, the element htmx reports
  // it for is no longer the one with the trigger.
  document.addEventListener('htmx:beforeSwap', (event) => {
    if (!(event.detail.xhr?.status < 400) || !isPoll(event.detail.elt)) return;
    const el = document.getElementById(ID);
    if (el?.dataset.kind === 'poll') el.remove();
  });
  // An action's answer is followed on its request: a cancel's may come once the detail's refresh
  // replaced the form it was sent from, and htmx reports it on that form, out of the page by then,
  // where no listener hears it.
  document.addEventListener('htmx:beforeRequest', (event) => {
    const xhr = event.detail.xhr;
    if (isPoll(event.detail.elt) || !xhr) return;
    xhr.addEventListener('load', () => {
      if (xhr.status >= 400) show(messageOf(xhr), false);
      else document.getElementById(ID)?.remove();
    });
    xhr.addEventListener('error', () => show(NO_ANSWER, false));
  });
})();

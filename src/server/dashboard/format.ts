/**
 * Formatting helpers of the dashboard: durations, rates, times, and JSON shown with light
 * syntax colouring (every token escaped).
 * @module
 */
import { percentText } from '../../percent-text.js';
import { textPrefix } from '../../text-prefix.js';
import { html, join, type SafeHtml } from './html.js';
import { jsonPrefix } from './json-prefix.js';

/** `0 ms`, `840 ms`, `1.25 s`, `2 min 5 s`, `3 h 10 min`; `–` for a missing value. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  const v = Math.max(0, ms);
  // Each unit is picked after rounding to the precision shown in it, so that a value that rounds
  // up carries into the next unit (119.6 s read '1 min 60 s', 999.6 ms '1000 ms').
  const wholeMs = Math.round(v);
  if (wholeMs < 1000) return `${wholeMs} ms`;
  const centiseconds = Math.round(v / 10);
  if (centiseconds < 1000) return `${(centiseconds / 100).toFixed(2)} s`;
  const deciseconds = Math.round(v / 100);
  if (deciseconds < 600) return `${(deciseconds / 10).toFixed(1)} s`;
  const seconds = Math.round(v / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  const minutes = Math.round(v / 60_000);
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/**
 * A span of time: `5 s`, `10 min`, `1 min 30 s`; under a minute as it is (`240 ms`, `1.5 s`):
 * rounded to whole seconds, a window of 240 ms read '0 s' and a chart's 0.5 s buckets '1 s'.
 */
export function formatSpan(ms: number): string {
  // The unit is picked after rounding to whole ms: 999.7 ms is '1 s', not '1000 ms'.
  const whole = Math.round(ms);
  if (whole < 1000) return `${whole} ms`;
  if (whole < 60_000) return `${whole / 1000} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const rest = seconds % 60;
  return `${Math.floor(seconds / 60)} min${rest ? ` ${rest} s` : ''}`;
}

/**
 * A fraction 0..1 as `97.5 %` (`>99.9 %` short of all, `<0.1 %` above none: see `percentText`);
 * `–` when there is no data.
 */
export function formatPercent(fraction: number | null | undefined, digits = 1): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '–';
  return `${percentText(fraction, digits)} %`;
}

/** A date as `2026-11-28 22:09:25` (UTC); `–` when absent. */
export function formatTime(date: Date | string | number | null | undefined): string {
  if (date === null || date === undefined) return '–';
  const d = date instanceof Date ? date : new Date(date);
  if (Number.isNaN(d.getTime())) return '–';
  return d.toISOString().replace('T', ' ').slice(0, 19);
}

/**
 * A date as `2026-11-28 22:09:25 UTC`, for where no column heading says the zone (a summary, a
 * tooltip); `–` when absent.
 */
export function formatUtc(date: Date | string | number | null | undefined): string {
  const text = formatTime(date);
  return text === '–' ? text : `${text} UTC`;
}

/**
 * How long ago `date` was, relative to `now`, in whole units counted down (as clocks do: 59.9 s
 * is `59 s ago`, not `60 s ago`): `820 ms ago`, `4 s ago`, `3 min ago`, `5 h ago`, and from two
 * days on `3 d ago`. A time ahead of `now` (clocks of two nodes apart) is `just now`.
 */
export function formatAgo(date: Date | number, now: number): string {
  const t = date instanceof Date ? date.getTime() : date;
  const ms = now - t;
  if (ms < 0) return 'just now';
  if (ms < 1000) return `${Math.floor(ms)} ms ago`;
  if (ms < 60_000) return `${Math.floor(ms / 1000)} s ago`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ago`;
  if (ms < 172_800_000) return `${Math.floor(ms / 3_600_000)} h ago`;
  return `${Math.floor(ms / 86_400_000)} d ago`;
}

/** A date as an ISO string for `datetime` / `title` attributes. */
export function isoOf(date: Date | undefined): string {
  return date ? date.toISOString() : '';
}

/** Largest JSON text rendered for one value; longer values are cut with a note. */
export const JSON_DISPLAY_LIMIT = 64 * 1024;

/**
 * Largest JSON text one execution page renders for all its values together (input, output, the
 * steps' outputs): a value past it is left out with a note, so an execution with many large
 * outputs does not make a page of many megabytes.
 */
export const EXECUTION_PAGE_JSON_LIMIT = 512 * 1024;

/** Where the whole of a value shown cut (or not at all) can be read: a JSON API route and its place there. */
export interface JsonSource {
  /** `GET /v1/executions/<id>`. */
  route: string;
  /** The value's place in the route's answer: `inputData`, `steps[2].output`. */
  path: string;
}

/** What is left of a page's JSON budget (characters); each value shown takes its length from it. */
export interface JsonBudget {
  left: number;
  /** The budget in full, for the note of a value left out. */
  readonly total: number;
}

/**
 * Pretty JSON of any value (`undefined` as `–`), cut at `limit` characters (one less where the
 * cut would split a surrogate pair): written only up to the cut, so a value of many MiB costs no
 * more than the part of it shown.
 */
export function prettyJson(
  value: unknown,
  limit: number = JSON_DISPLAY_LIMIT,
): { text: string; truncated: boolean } {
  if (value === undefined) return { text: '–', truncated: false };
  let shown: { text: string; truncated: boolean } | undefined;
  try {
    shown = jsonPrefix(value, limit, '  ');
  } catch {
    shown = undefined;
  }
  if (shown) return shown;
  const text = String(value);
  if (text.length <= limit) return { text, truncated: false };
  return { text: textPrefix(text, limit), truncated: true };
}

/** `; the whole value: GET /v1/executions/<id> → outputData`, or nothing without a source. */
const wholeAt = (source: JsonSource | undefined): string =>
  source ? `; the whole value: ${source.route} → ${source.path}` : '';

// A string may also end at the end of the text (JSON cut at the display limit, possibly right
// after a backslash): required to close with a quote, each escaped quote of a cut-off tail would
// start a match that scans to the end and fails — quadratic, seconds on 40,000 quotes.
const TOKEN =
  /("(?:\\.|[^"\\])*(?:"|\\?$))(\s*:)?|\b(true|false)\b|\b(null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;

/** Options of {@link jsonBlock}. */
export interface JsonBlockOptions {
  /** The page's budget: the value is cut to what is left of it, or left out once it is spent. */
  budget?: JsonBudget;
  /** Where the whole value can be read, named in the note of a cut. */
  source?: JsonSource;
}

/**
 * JSON as a `<pre>` block with keys, strings, numbers and literals in their own spans; cut at
 * {@link JSON_DISPLAY_LIMIT} characters, or what is left of `budget`, with a note saying so and
 * where the whole value is.
 */
export function jsonBlock(value: unknown, label?: string, options: JsonBlockOptions = {}): SafeHtml {
  const { budget, source } = options;
  const aria = label ? html` aria-label="${label}"` : '';
  if (budget && budget.left <= 0) {
    return html`<pre class="json"${aria}><span class="j-cut">not shown: this page already shows ${budget.total} characters of JSON${wholeAt(source)}</span></pre>`;
  }
  const limit = Math.min(JSON_DISPLAY_LIMIT, budget?.left ?? JSON_DISPLAY_LIMIT);
  const { text, truncated } = prettyJson(value, limit);
  if (budget) budget.left -= truncated ? limit : text.length;
  const parts: unknown[] = [];
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    const at = m.index ?? 0;
    if (at > last) parts.push(text.slice(last, at));
    if (m[1] !== undefined) {
      parts.push(html`<span class="${m[2] ? 'j-key' : 'j-str'}">${m[1]}</span>`);
      if (m[2]) parts.push(m[2]);
    } else if (m[3] !== undefined) parts.push(html`<span class="j-bool">${m[3]}</span>`);
    else if (m[4] !== undefined) parts.push(html`<span class="j-null">${m[4]}</span>`);
    else parts.push(html`<span class="j-num">${m[5]}</span>`);
    last = at + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return html`<pre class="json"${aria}>${join(parts)}${
    truncated ? html`<span class="j-cut">\n… cut at ${limit} characters${wholeAt(source)}</span>` : ''
  }</pre>`;
}

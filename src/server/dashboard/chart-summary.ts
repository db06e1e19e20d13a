/**
 * The overview charts in words, for a screen reader (the charts are pictures drawn in the
 * browser): the figures a sighted user reads off them — how many finished, the peak and the
 * latest bucket; the range of the average and the highest p95 — from the same series.
 * @module
 */

import { plural } from '../../plural.js';
import { formatDuration, formatSpan } from './format.js';
import type { SeriesSnapshot } from './series.js';

// Folds, not `Math.max(...xs)`: a window may hold more buckets than a call takes arguments.
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const max = (xs: readonly number[]) => xs.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
const min = (xs: readonly number[]) => xs.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);

/** `Throughput, last 10 min: 37 executions finished (2 failed); at most 4 per 5 s, 1 in the latest 5 s.` */
export function throughputSummary(s: SeriesSnapshot): string {
  const head = `Throughput, last ${formatSpan(s.bucketMs * s.t.length)}:`;
  const per = s.t.map((_, i) => (s.completed[i] ?? 0) + (s.failed[i] ?? 0) + (s.cancelled[i] ?? 0));
  const total = sum(per);
  if (total === 0) return `${head} no execution finished.`;
  const failed = sum(s.failed);
  const cancelled = sum(s.cancelled);
  const others = [failed > 0 ? `${failed} failed` : '', cancelled > 0 ? `${cancelled} cancelled` : '']
    .filter(Boolean)
    .join(', ');
  const bucket = formatSpan(s.bucketMs);
  return `${head} ${plural(total, 'execution')} finished${others ? ` (${others})` : ''}; at most ${max(per)} per ${bucket}, ${per.at(-1) ?? 0} in the latest ${bucket}.`;
}

/** `Latency, last 10 min: average 120 ms to 340 ms, p95 at most 1.20 s; latest 5 s: average 120 ms, p95 300 ms.` */
export function latencySummary(s: SeriesSnapshot): string {
  const head = `Latency, last ${formatSpan(s.bucketMs * s.t.length)}:`;
  const avg = s.avgMs.filter((v): v is number => v !== null);
  const p95 = s.p95Ms.filter((v): v is number => v !== null);
  if (avg.length === 0) return `${head} no execution finished with a duration.`;
  const low = min(avg);
  const high = max(avg);
  const range = low === high ? formatDuration(low) : `${formatDuration(low)} to ${formatDuration(high)}`;
  const bucket = formatSpan(s.bucketMs);
  const lastAvg = s.avgMs.at(-1) ?? null;
  const lastP95 = s.p95Ms.at(-1) ?? null;
  const latest =
    lastAvg === null
      ? `none finished in the latest ${bucket}`
      : `latest ${bucket}: average ${formatDuration(lastAvg)}, p95 ${formatDuration(lastP95)}`;
  return `${head} average ${range}, p95 at most ${formatDuration(max(p95))}; ${latest}.`;
}

/**
 * What `/ui/series.json` answers: the series the charts draw and, from the same snapshot, their
 * summaries (`summary.throughput`, `summary.latency`), which the page's script sets as each
 * chart's name when it redraws it, so the words never describe another moment than the picture.
 */
export function seriesWithSummaries(
  s: SeriesSnapshot,
): SeriesSnapshot & { summary: { throughput: string; latency: string } } {
  return { ...s, summary: { throughput: throughputSummary(s), latency: latencySummary(s) } };
}

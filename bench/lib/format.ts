/**
 * Result lines and table formatting shared by the bench commands.
 * @module
 */

/** A JSON line as a row produced it: the harness result, or an error / skip record. */
export interface RowResult {
  /** Row id (`engine-sqlite`, `sqlite-raw-full`, ...). */
  row?: string;
  name: string;
  n?: number;
  c?: number;
  wall_s?: number;
  throughput?: number;
  p50_ms?: number;
  p95_ms?: number;
  p99_ms?: number;
  lowload_n?: number;
  lowload_p50_ms?: number | null;
  lowload_p95_ms?: number | null;
  lowload_p99_ms?: number | null;
  durable?: boolean;
  checkpoint?: string;
  notes?: string;
  errors?: number;
  extra?: Record<string, unknown>;
  node?: string;
  ts?: string;
  /** The row crashed or timed out. */
  error?: string;
  error_text?: string;
  /** Fraction of the machine's CPU in use (by others) just before the row started, when sampled. */
  cpu_busy_before?: number | null;
  /** The row could not run here (e.g. no PostgreSQL); `note` says why. */
  skipped?: boolean;
  note?: string;
}

/** Whether a row produced measurements. */
export function measured(r: RowResult | undefined): r is RowResult & { throughput: number } {
  return !!r && !r.error && !r.skipped && typeof r.throughput === 'number';
}

/**
 * Whether a row's numbers can be compared: measured, and every workflow of it completed (`errors`
 * 0). A row whose workflows failed still has a throughput (N ÷ wall time, failures included), but
 * it does not count in ratios or targets.
 */
export function usable(r: RowResult | undefined): r is RowResult & { throughput: number } {
  return measured(r) && !(typeof r.errors === 'number' && r.errors > 0);
}

/**
 * Why a row's numbers cannot be used, or null: it crashed or timed out (`error`), or some of its
 * workflows failed (`errors` > 0; the harness keeps the first failure in `extra.first_error`).
 * A skipped row is not a failure.
 */
export function rowFailure(r: RowResult): string | null {
  if (r.error) return `${r.error}${r.error_text ? `:\n${r.error_text}` : ''}`;
  if (typeof r.errors === 'number' && r.errors > 0) {
    const first = r.extra?.first_error;
    return `${r.errors} workflow(s) failed${typeof first === 'string' ? `; first: ${first}` : ''}`;
  }
  return null;
}

/** A number with about 3 significant digits; `–` for none. */
export function fmt(x: unknown, digits = 1): string {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '–';
  if (Math.abs(x) >= 100) return Math.round(x).toString();
  return x.toFixed(digits);
}

/** A ratio as `3.21×`. */
export function fmtRatio(x: number | null | undefined): string {
  if (x == null || !Number.isFinite(x)) return '–';
  if (x >= 100) return `${Math.round(x)}×`;
  if (x >= 10) return `${x.toFixed(1)}×`;
  if (x >= 1) return `${x.toFixed(2)}×`;
  return `${x.toFixed(3)}×`;
}

/** A markdown table. */
export function markdownTable(headers: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Median of the finite numbers, or null. */
export function median(xs: Array<number | null | undefined>): number | null {
  const v = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}

function num(extra: Record<string, unknown> | undefined, key: string): number | undefined {
  const v = extra?.[key];
  return typeof v === 'number' ? v : undefined;
}

/** The main table: one line per row (measured, failed or skipped). */
export function resultsTable(results: RowResult[]): string {
  const headers = [
    'row',
    'durable',
    'wf/s',
    'wall s',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'low-load p50 ms',
    'low p95 ms',
    'low p99 ms',
    'RSS MB (after / peak)',
    'commits/wf',
    'errors',
  ];
  const rows = results.map((r) => {
    const id = r.row ?? r.name;
    if (r.skipped) return [id, '', `skipped: ${r.note ?? ''}`, ...headers.slice(3).map(() => '')];
    if (r.error) return [id, '', `FAILED: ${r.error}`, ...headers.slice(3).map(() => '')];
    const rssAfter = num(r.extra, 'rss_mb_after_run');
    const rssPeak = num(r.extra, 'rss_mb_peak');
    const commits = num(r.extra, 'commits_per_wf') ?? num(r.extra, 'pg_xacts_per_wf');
    return [
      id,
      r.durable ? 'yes' : 'no',
      fmt(r.throughput),
      fmt(r.wall_s, 2),
      fmt(r.p50_ms),
      fmt(r.p95_ms),
      fmt(r.p99_ms),
      fmt(r.lowload_p50_ms, 3),
      fmt(r.lowload_p95_ms, 3),
      fmt(r.lowload_p99_ms, 3),
      rssAfter === undefined ? '–' : `${fmt(rssAfter)} / ${fmt(rssPeak)}`,
      fmt(commits, 2),
      String(r.errors ?? '–'),
    ];
  });
  return markdownTable(headers, rows);
}

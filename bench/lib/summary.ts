/**
 * The summary of `bench:compare`: median rows over rounds, ratios taken within each round, and the
 * issue's targets. Pure functions of the rounds' JSON lines (tested in `test/bench/summary.test.ts`).
 * @module
 */
import { fmtRatio, median, type RowResult, usable } from './format.js';

/** One round's JSON lines by row id (`engine-sqlite`, `sqlite-raw-full`, ...). */
export type Round = Map<string, RowResult>;

/**
 * The median row over rounds. Medians are taken over the rounds that measured the row without
 * workflow errors; `errors` sums every measured round's. A row no round measured cleanly is
 * returned as its first measured round (numbers with their errors), else its first record
 * (failed or skipped).
 */
export function medianRow(rounds: Round[], id: string): RowResult {
  const list = rounds.map((m) => m.get(id)).filter((r): r is RowResult => !!r);
  const errors = list.reduce((s, r) => s + (typeof r.errors === 'number' ? r.errors : 0), 0);
  const ok = list.filter(usable);
  if (ok.length === 0) {
    const withErrors = list.find((r) => typeof r.throughput === 'number');
    return withErrors ? { ...withErrors, errors } : list[0]!;
  }
  if (ok.length === 1) return { ...ok[0]!, errors };
  const m = (k: keyof RowResult) => median(ok.map((r) => r[k] as number | null | undefined)) ?? undefined;
  const mx = (k: string) => median(ok.map((r) => r.extra?.[k] as number | undefined)) ?? undefined;
  return {
    ...ok[0]!,
    throughput: m('throughput')!,
    wall_s: m('wall_s'),
    p50_ms: m('p50_ms'),
    p95_ms: m('p95_ms'),
    p99_ms: m('p99_ms'),
    lowload_p50_ms: m('lowload_p50_ms'),
    lowload_p95_ms: m('lowload_p95_ms'),
    lowload_p99_ms: m('lowload_p99_ms'),
    errors,
    extra: {
      ...ok[0]!.extra,
      rss_mb_after_run: mx('rss_mb_after_run'),
      rss_mb_peak: mx('rss_mb_peak'),
      commits_per_wf: mx('commits_per_wf'),
      pg_xacts_per_wf: mx('pg_xacts_per_wf'),
      throughput_runs: ok.map((r) => r.throughput),
    },
  };
}

/**
 * Median over rounds of `engine[key] ÷ peer[key]` computed within each round; a round where either
 * row failed, was skipped or had workflow errors does not count. Null when no round counts.
 */
export function ratio(
  rounds: Round[],
  engineId: string,
  peerId: string,
  key: 'throughput' | 'lowload_p50_ms',
): number | null {
  return median(
    rounds.map((m) => {
      const e = m.get(engineId);
      const p = m.get(peerId);
      if (!usable(e) || !usable(p)) return null;
      const a = e[key];
      const b = p[key];
      return typeof a === 'number' && typeof b === 'number' && b > 0 ? a / b : null;
    }),
  );
}

/** Median over rounds of one row's `key`, over the rounds that measured it without workflow errors. */
export function medianOf(rounds: Round[], id: string, key: 'throughput' | 'lowload_p50_ms'): number | null {
  return median(
    rounds.map((m) => {
      const r = m.get(id);
      return usable(r) ? (r[key] ?? null) : null;
    }),
  );
}

/** One of the issue's targets, as `bench:compare` evaluates it. */
export interface Target {
  target: string;
  measured: string;
  value: number | null;
  pass: boolean | null;
  /** The rows it compares (engine row, then the peer row if any). */
  rows: string[];
}

function target(
  label: string,
  rows: string[],
  value: number | null,
  ok: (v: number) => boolean,
  show: (v: number) => string,
): Target {
  return {
    target: label,
    rows,
    value,
    measured: value === null ? 'n/a (row missing, failed, skipped or with workflow errors)' : show(value),
    pass: value === null ? null : ok(value),
  };
}

/**
 * The targets whose rows are all in `requested` (row ids: `engine-sqlite`, `sqlite-raw-full`, ...),
 * evaluated on the rounds.
 */
export function evaluateTargets(rounds: Round[], requested: ReadonlySet<string>): Target[] {
  /** A durable-throughput target, judged on the rounds where the engine row was durable. */
  const ratioTarget = (label: string, engine: string, peer: string, min: number): Target => {
    const durable = rounds.filter((m) => m.get(engine)?.durable !== false);
    const t = target(
      label,
      [engine, peer],
      ratio(durable, engine, peer, 'throughput'),
      (v) => v >= min,
      fmtRatio,
    );
    if (durable.length < rounds.length && t.value === null) {
      t.measured = `n/a (${engine} not durable here: see its checkpoint and extra)`;
    }
    return t;
  };
  const sqliteLow = medianOf(rounds, 'engine-sqlite', 'lowload_p50_ms');
  const floorLow = medianOf(rounds, 'sqlite-floor', 'lowload_p50_ms');
  const all: Target[] = [
    ratioTarget(
      'SQLite durable throughput ≥ 3× sqlite-raw (sync=FULL)',
      'engine-sqlite',
      'sqlite-raw-full',
      3,
    ),
    ratioTarget('SQLite durable throughput ≥ 4× bullmq-checkpoint', 'engine-sqlite', 'bullmq-checkpoint', 4),
    target(
      'memory throughput ≥ 30% of baseline-inmemory',
      ['engine-memory', 'baseline-inmemory'],
      ratio(rounds, 'engine-memory', 'baseline-inmemory', 'throughput'),
      (v) => v >= 0.3,
      (v) => `${(v * 100).toFixed(1)}% (${fmtRatio(v)})`,
    ),
    target(
      'low-load p50 on SQLite ≤ 0.5 ms',
      ['engine-sqlite'],
      sqliteLow,
      (v) => v <= 0.5,
      (v) =>
        `${v.toFixed(3)} ms${floorLow === null ? '' : ` (floor: SPEC §6's 4 fsynced commits alone take ${floorLow.toFixed(3)} ms here${floorLow > 0.5 ? ', so ≤ 0.5 ms cannot be met on this disk' : ''})`}`,
    ),
    ...(['engine-postgres', 'engine-postgres-3'] as const).flatMap((row) => {
      const label = row === 'engine-postgres' ? 'PostgreSQL, 1 node' : 'PostgreSQL, 3 nodes';
      return [
        ratioTarget(
          `${label}: durable throughput ≥ 2× postgres-raw (one commit per step)`,
          row,
          'postgres-raw',
          2,
        ),
        ratioTarget(`${label}: durable throughput ≥ 10× dbos`, row, 'dbos', 10),
      ];
    }),
  ];
  return all.filter((t) => t.rows.every((row) => requested.has(row)));
}

// The summary of `bench:compare` (bench/lib/summary.ts): ratios taken within each round, medians
// over rounds, and which rows a target may be judged on.
import { describe, expect, it } from 'vitest';
import { type RowResult, rowFailure } from '../../bench/lib/format.js';
import { evaluateTargets, medianRow, type Round, ratio } from '../../bench/lib/summary.js';

function row(id: string, throughput: number, more: Partial<RowResult> = {}): RowResult {
  return { row: id, name: id, n: 100, throughput, lowload_p50_ms: 1, errors: 0, ...more };
}

function rounds(...lines: RowResult[][]): Round[] {
  return lines.map((list) => new Map(list.map((r) => [r.row!, r])));
}

const all = new Set(['engine-sqlite', 'sqlite-raw-full', 'engine-memory', 'baseline-inmemory']);

describe('bench:compare summary', () => {
  it('takes the median of the ratios of each round, not the ratio of the medians', () => {
    const data = rounds(
      [row('engine-sqlite', 100), row('sqlite-raw-full', 10)],
      [row('engine-sqlite', 300), row('sqlite-raw-full', 150)],
      [row('engine-sqlite', 200), row('sqlite-raw-full', 100)],
    );
    // Per round: 10×, 2×, 2× → median 2×. Ratio of medians would be 200 / 100 = 2× too; a fourth
    // round tells them apart.
    expect(ratio(data, 'engine-sqlite', 'sqlite-raw-full', 'throughput')).toBe(2);
    data.push(new Map([row('engine-sqlite', 400), row('sqlite-raw-full', 50)].map((r) => [r.row!, r])));
    // Per round 10, 2, 2, 8 → median 5; medians 250 ÷ 75 would be 3.33.
    expect(ratio(data, 'engine-sqlite', 'sqlite-raw-full', 'throughput')).toBe(5);
  });

  it('judges a target PASS or FAIL in the right direction', () => {
    const data = rounds([
      row('engine-sqlite', 300, { lowload_p50_ms: 0.4 }),
      row('sqlite-raw-full', 100),
      row('engine-memory', 20),
      row('baseline-inmemory', 100),
    ]);
    const byLabel = Object.fromEntries(evaluateTargets(data, all).map((t) => [t.target, t]));
    expect(byLabel['SQLite durable throughput ≥ 3× sqlite-raw (sync=FULL)']!.pass).toBe(true);
    expect(byLabel['memory throughput ≥ 30% of baseline-inmemory']!.pass).toBe(false);
    expect(byLabel['low-load p50 on SQLite ≤ 0.5 ms']!.pass).toBe(true);
    // Only the targets whose rows were asked for.
    expect(Object.keys(byLabel)).toHaveLength(3);
  });

  it('does not judge a target on a row whose workflows failed, however fast it was', () => {
    // A row whose every workflow fails at once has a huge throughput (N ÷ a short wall time).
    const data = rounds([
      row('engine-sqlite', 50_000, { errors: 100, lowload_p50_ms: 0.01 }),
      row('sqlite-raw-full', 100),
      row('engine-memory', 50),
      row('baseline-inmemory', 100, { errors: 3 }),
    ]);
    const targets = evaluateTargets(data, all);
    expect(targets.map((t) => t.pass)).toEqual([null, null, null]);
    expect(targets[0]!.measured).toContain('workflow errors');
    expect(ratio(data, 'engine-sqlite', 'sqlite-raw-full', 'throughput')).toBeNull();
  });

  it('judges a durable-throughput target only on rounds where the engine row was durable', () => {
    // E.g. PostgreSQL with synchronous_commit=off: the engine row says durable: false.
    const data = rounds([row('engine-sqlite', 900, { durable: false }), row('sqlite-raw-full', 100)]);
    const [sqlite] = evaluateTargets(data, all);
    expect(sqlite!.target).toContain('durable');
    expect(sqlite!.pass).toBeNull();
    expect(sqlite!.measured).toContain('not durable');
  });

  it('leaves a round with workflow errors out of the medians, and still shows its errors', () => {
    const data = rounds(
      [row('engine-sqlite', 9_000, { errors: 4 })],
      [row('engine-sqlite', 100)],
      [row('engine-sqlite', 300)],
    );
    const m = medianRow(data, 'engine-sqlite');
    expect(m.throughput).toBe(200);
    expect(m.errors).toBe(4);
    // No clean round: the first measured one, with the errors of every round.
    const bad = rounds(
      [row('engine-sqlite', 9_000, { errors: 4 })],
      [row('engine-sqlite', 8_000, { errors: 2 })],
    );
    expect(medianRow(bad, 'engine-sqlite')).toMatchObject({ throughput: 9_000, errors: 6 });
  });

  it('ignores failed and skipped rounds', () => {
    const data = rounds(
      [row('engine-sqlite', 300), row('sqlite-raw-full', 100)],
      [{ row: 'engine-sqlite', name: 'engine-sqlite', error: 'exit 1' }, row('sqlite-raw-full', 100)],
      [row('engine-sqlite', 500), { row: 'sqlite-raw-full', name: 'x', skipped: true, note: 'n/a' }],
    );
    expect(ratio(data, 'engine-sqlite', 'sqlite-raw-full', 'throughput')).toBe(3);
    expect(medianRow(data, 'engine-sqlite').throughput).toBe(400);
  });

  it('calls a row failed when it crashed or any of its workflows failed, not when skipped', () => {
    expect(rowFailure(row('engine-sqlite', 100))).toBeNull();
    expect(rowFailure({ name: 'x', skipped: true, note: 'not reachable' })).toBeNull();
    expect(rowFailure({ name: 'x', error: 'exit 1', error_text: 'boom' })).toBe('exit 1:\nboom');
    expect(
      rowFailure(row('engine-sqlite', 100, { errors: 2, extra: { first_error: 'Error: step s2 failed' } })),
    ).toBe('2 workflow(s) failed; first: Error: step s2 failed');
  });
});

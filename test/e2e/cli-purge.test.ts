/**
 * `orchestrator purge --older-than <duration> --yes`: deletes the finished executions of the store
 * that completed longer ago, never unfinished ones; `orchestrator metrics` keeps counting them.
 * Without `--yes` nothing is deleted: it says how many it would delete (exit 2); a bad duration is a usage error naming the option.
 */
import { describe, expect, it } from 'vitest';
import { cli, parseJson, seededStore } from './fixtures/cli-harness.js';

const DAY = 86_400_000;

/** A store with two executions finished 10 days ago, one finished now, and a running one created long ago. */
function seeded(): Promise<string> {
  const now = Date.now();
  const old = { createdAt: now - 11 * DAY, completedAt: now - 10 * DAY, stepsRun: 1 };
  return seededStore([
    { id: 'old-1', status: 'completed', ...old },
    { id: 'old-2', status: 'failed', ...old },
    { id: 'new', status: 'completed', createdAt: now, completedAt: now },
    { id: 'running', status: 'running', createdAt: now - 20 * DAY },
  ]);
}

const ids = async (url: string) =>
  parseJson<{ id: string }[]>((await cli(['--json', 'list', '--store', url])).stdout)
    .map((e) => e.id)
    .sort();

const metricsOf = async (url: string) =>
  parseJson<{ executions: unknown }>((await cli(['--json', 'metrics', '--store', url])).stdout).executions;

describe('orchestrator purge', () => {
  it('deletes finished executions older than the duration; metrics keep counting them', async () => {
    const url = await seeded();
    const [metricsBefore, refused] = await Promise.all([
      metricsOf(url),
      cli(['purge', '--older-than', '7d', '--store', url]),
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/pass --yes to delete them/);
    expect(refused.stdout).toMatch(/^Would delete 2 executions /);

    // (2 deleted: the refused run deleted nothing.)
    const r = await cli(['--json', 'purge', '--older-than', '7d', '--yes', '--store', url]);
    expect(r.code).toBe(0);
    expect(parseJson<{ deleted: number; before: string }>(r.stdout)).toMatchObject({ deleted: 2 });
    const [left, metricsAfter, again] = await Promise.all([
      ids(url),
      metricsOf(url),
      cli(['purge', '--older-than', '7d', '--yes', '--store', url]),
    ]);
    expect(left).toEqual(['new', 'running']);
    expect(metricsAfter).toEqual(metricsBefore);
    expect(again.code).toBe(0);
    // It said `Deleted 0 executions (finished executions that completed before …)`.
    expect(again.stdout).toMatch(/^Nothing to purge: no finished executions completed before \S+Z\n$/);
    expect(again.stderr).toBe('');
  });

  it('with nothing to delete says so plainly and exits 0, --yes or not; one is one execution', async () => {
    const url = await seeded();
    const [dry, json, one] = await Promise.all([
      cli(['purge', '--older-than', '30d', '--store', url]),
      cli(['--json', 'purge', '--older-than', '30d', '--store', url]),
      cli(['purge', '--older-than', '7d', '--limit', '1', '--store', url]),
    ]);
    // It said `Would delete 0 executions (…); nothing deleted` and `pass --yes to delete them`, exit 2.
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^Nothing to purge: no finished executions completed before \S+Z\n$/);
    expect(dry.stderr).toBe('');
    expect(json.code).toBe(0);
    expect(parseJson<Record<string, unknown>>(json.stdout)).toMatchObject({ dryRun: true, wouldDelete: 0 });
    expect(one.code).toBe(2);
    expect(one.stdout).toMatch(/^Would delete 1 execution \(/);
  });

  it('without --yes: says how many it would delete, in the shape of a real run, and deletes nothing', async () => {
    const url = await seeded();
    const [text, json, limited] = await Promise.all([
      cli(['purge', '--older-than', '7d', '--store', url]),
      cli(['--json', 'purge', '--older-than', '7d', '--store', url]),
      cli(['--json', 'purge', '--older-than', '7d', '--limit', '1', '--store', url]),
    ]);
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(
      /^Would delete 2 executions \(finished executions that completed before [^)]+\); nothing deleted\n$/,
    );
    expect(text.stderr).toBe('error: nothing deleted: pass --yes to delete them\n');
    expect(json.code).toBe(2);
    const doc = parseJson<Record<string, unknown>>(json.stdout);
    expect(doc).toMatchObject({ dryRun: true, deleted: 0, wouldDelete: 2, store: url });
    expect(Object.keys(doc).sort()).toEqual(['before', 'deleted', 'dryRun', 'store', 'wouldDelete']);
    expect(parseJson<{ wouldDelete: number }>(limited.stdout).wouldDelete).toBe(1);
    expect(await ids(url)).toEqual(['new', 'old-1', 'old-2', 'running']);

    const real = await cli(['--json', 'purge', '--older-than', '7d', '--yes', '--store', url]);
    expect(parseJson<Record<string, unknown>>(real.stdout)).toMatchObject({ dryRun: false, deleted: 2 });
  });

  it('refuses a bad or missing duration, or a bad limit, naming the option', async () => {
    const url = await seeded();
    const cases = [
      ['--older-than', '7 days'],
      ['--older-than', '0'],
      ['--older-than', '1d', '--limit', '0'],
      [],
    ];
    const results = await Promise.all(cases.map((args) => cli(['purge', ...args, '--yes', '--store', url])));
    for (const r of results) {
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--older-than|--limit/);
    }
    expect(await ids(url)).toHaveLength(4);
  });
});

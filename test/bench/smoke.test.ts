// Smoke test of the bench command (`npm run bench`): a tiny run of the memory and SQLite rows must
// print one valid harness JSON line per row, with no errors and a positive throughput. This checks
// the tooling, not the numbers: the rows run at the same time (`--parallel`) to keep it fast.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runScript, type ScriptRun } from '../helpers/child.js';
import { assertServerReachable } from '../store/pg-fixture.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function runBench(args: string[]): Promise<ScriptRun> {
  return runScript(join(root, 'bench', 'run.ts'), args, {
    cwd: root,
    env: { ORCHESTRATOR_LOG_LEVEL: 'warn' },
  });
}

describe('bench command', () => {
  it('prints one valid JSON line per row with errors 0 and positive throughput', async () => {
    const { code, stdout, stderr } = await runBench([
      '--n',
      '50',
      '--c',
      '10',
      '--lowload',
      '10',
      '--warmup',
      '10',
      '--rows',
      'memory,sqlite',
      '--json',
      '--parallel',
    ]);
    expect(code, stderr).toBe(0);
    const lines = stdout.split('\n').filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(2);
    const rows = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((r) => r.row)).toEqual(['engine-memory', 'engine-sqlite']);
    for (const r of rows) {
      expect(r.error, String(r.error_text ?? '')).toBeUndefined();
      // The harness's JSON line (peers README, "Output contract"), every field with its type.
      expect(r).toMatchObject({
        name: expect.any(String),
        n: 50,
        c: 10,
        wall_s: expect.any(Number),
        throughput: expect.any(Number),
        p50_ms: expect.any(Number),
        p95_ms: expect.any(Number),
        p99_ms: expect.any(Number),
        lowload_n: 10,
        lowload_p50_ms: expect.any(Number),
        lowload_p95_ms: expect.any(Number),
        lowload_p99_ms: expect.any(Number),
        durable: expect.any(Boolean),
        checkpoint: expect.stringMatching(/\S/),
        notes: expect.any(String),
        errors: 0,
        extra: expect.any(Object),
        node: process.version,
        ts: expect.any(String),
      });
      expect(r.p50_ms as number).toBeLessThanOrEqual(r.p99_ms as number);
      expect(r.n).toBe(50);
      expect(r.lowload_n).toBe(10);
      expect(typeof r.throughput === 'number' && r.throughput > 0).toBe(true);
      expect(typeof r.lowload_p50_ms === 'number' && r.lowload_p50_ms > 0).toBe(true);
      const extra = r.extra as Record<string, unknown>;
      expect(typeof extra.rss_mb_peak === 'number' && extra.rss_mb_peak > 0).toBe(true);
    }
    expect(rows[1]!.durable).toBe(true);
    expect((rows[1]!.extra as Record<string, unknown>).sqlite_synchronous).toBe('FULL');
  }, 60_000);

  it('measures the PostgreSQL rows, one node and three (never reported as skipped)', async () => {
    await assertServerReachable();
    const { code, stdout, stderr } = await runBench([
      '--n',
      '50',
      '--c',
      '10',
      '--lowload',
      '10',
      '--warmup',
      '10',
      '--rows',
      'postgres,postgres-3',
      '--json',
      '--parallel',
    ]);
    expect(code, stderr).toBe(0);
    const rows = stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((r) => r.row)).toEqual(['engine-postgres', 'engine-postgres-3']);
    for (const r of rows) {
      expect(r.skipped, String(r.note ?? '')).toBeUndefined();
      expect(r.error, String(r.error_text ?? '')).toBeUndefined();
      expect(r.errors).toBe(0);
      expect(r.durable).toBe(true);
      expect(typeof r.throughput === 'number' && r.throughput > 0).toBe(true);
    }
    // The three nodes shared the work: each finished some of the executions.
    const cluster = rows[1]!.extra as { engine_nodes: number; finished_per_node: number[] };
    expect(cluster.engine_nodes).toBe(3);
    expect(cluster.finished_per_node).toHaveLength(3);
    for (const n of cluster.finished_per_node) expect(n).toBeGreaterThan(0);
  }, 60_000);

  it('runs the sqlite-floor yardstick: 4 fsynced commits per 3-step workflow, durable, no errors; then the table', async () => {
    const { code, stdout, stderr } = await runBench([
      '--n',
      '20',
      '--c',
      '5',
      '--lowload',
      '5',
      '--warmup',
      '5',
      '--rows',
      'sqlite-floor',
    ]);
    expect(code, stderr).toBe(0);
    const lines = stdout.split('\n').filter((l) => l.trim() !== '');
    // Without --json: the JSON line of each row, then the markdown table with a line per row.
    expect(lines[1]).toMatch(/^\| row \| durable \| wf\/s \|/);
    expect(lines.find((l) => l.startsWith('| sqlite-floor |'))).toMatch(/^\| sqlite-floor \| yes \| \d/);
    const rows = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((r) => r.row)).toEqual(['sqlite-floor']);
    const floor = rows[0]!;
    expect(floor.error, String(floor.error_text ?? '')).toBeUndefined();
    expect(floor.errors).toBe(0);
    expect(floor.durable).toBe(true);
    expect(typeof floor.lowload_p50_ms === 'number' && floor.lowload_p50_ms > 0).toBe(true);
    expect((floor.extra as Record<string, unknown>).commits_per_wf).toBe(4);
  }, 60_000);

  it('runs the sqlite-floor row with the --steps and --payload asked for, as the engine rows', async () => {
    const { code, stdout, stderr } = await runBench([
      '--n',
      '10',
      '--c',
      '5',
      '--lowload',
      '2',
      '--warmup',
      '2',
      '--rows',
      'sqlite-floor',
      '--steps',
      '5',
      '--payload',
      '1kb',
      '--json',
    ]);
    expect(code, stderr).toBe(0);
    const floor = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(floor.errors).toBe(0);
    const extra = floor.extra as Record<string, unknown>;
    expect(extra.commits_per_wf).toBe(6);
    expect(extra.steps_per_wf).toBe(5);
    expect(extra.payload_bytes).toBe(1024);
  }, 60_000);

  it('refuses an unknown row by name, listing the rows it knows', async () => {
    const { code, stderr } = await runBench(['--rows', 'sqlite,nope', '--json']);
    expect(code).not.toBe(0);
    expect(stderr).toContain('unknown row "nope"');
    expect(stderr).toContain('sqlite-floor');
  }, 60_000);

  it('names the cause when a row fails: a PostgreSQL role that does not exist', async () => {
    const { code, stdout } = await runBench([
      '--n',
      '5',
      '--lowload',
      '0',
      '--warmup',
      '0',
      '--rows',
      'postgres',
      '--pg-url',
      'postgres://no_such_bench_role@127.0.0.1:5432/test?schema=bench_smoke',
      '--json',
    ]);
    expect(code).toBe(1);
    const rows = stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.error).toBe('exit 1');
    expect(rows[0]!.error_text).toContain('role "no_such_bench_role" does not exist');
  }, 60_000);
});

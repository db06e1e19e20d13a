/**
 * `orchestrator metrics` for a workflow with no finished execution: its success and compensation
 * rates have nothing to divide by, and showed as '0.0%' (read as 'every execution failed'); they
 * now show '-', as the durations do. So does the retry rate when no step ran (it showed '0.0%',
 * read as 'no step needed a retry'). `--json` keeps the 0 that getMetrics() and GET /v1/metrics
 * answer for the same case (SPEC §5: rates are fractions 0..1), beside their stepsRun 0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { cli, parseJson, tempStore } from './fixtures/cli-harness.js';

const store = tempStore('orch-cli-metrics-');
afterAll(() => store.remove());

beforeAll(async () => {
  const sqlite = new SqliteStore(store.file);
  await sqlite.init();
  await sqlite.saveDefinition({
    id: 'idle',
    version: 1,
    steps: [{ name: 'a', action: 'noop' }],
    options: {},
    createdAt: Date.now(),
  });
  await sqlite.close();
});

describe('orchestrator metrics with no finished execution', () => {
  it("shows '-' for the rates over finished executions and steps run, 0 in --json", async () => {
    const [text, json] = await Promise.all([
      cli(['metrics', '--store', store.url]),
      cli(['metrics', '--store', store.url, '--json', '--workflow', 'idle']),
    ]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/success rate +- +\(completed \/ finished\)/);
    expect(text.stdout).toMatch(/retry rate +- +\(steps that needed a retry \/ steps run\)/);
    expect(text.stdout).toMatch(/compensation rate +- +\(executions that compensated \/ finished\)/);
    const row = text.stdout.split('\n').find((l) => l.startsWith('idle'));
    expect(row?.trim().split(/ +/)).toEqual(['idle', '0', '0', '0', '0', '0', '-', '-', '-']);
    expect(json.code, json.stderr).toBe(0);
    const data = parseJson<Record<string, unknown>>(json.stdout);
    expect(data.successRate).toBe(0);
    expect(data.retryRate).toBe(0);
    expect(data.compensationRate).toBe(0);
    expect(data.stepsRun).toBe(0);
    // The JSON keys are those of getMetrics() (SPEC §5's metrics and stepsRun), nothing else added.
    expect(Object.keys(data).sort()).toEqual(
      [
        'avgExecutionMs',
        'compensationRate',
        'durationSample',
        'executions',
        'loadDistribution',
        'p95ExecutionMs',
        'retryRate',
        'source',
        'stepsRun',
        'store',
        'successRate',
        'workflowId',
      ].sort(),
    );
  });
});

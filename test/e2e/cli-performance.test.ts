/**
 * `orchestrator performance <workflowId>`: where a workflow's time goes, from its newest finished
 * executions in the store — the figures the process that ran them recorded (execution and step
 * times, retries, waits, failures, compensations, bottleneck, suggestions), as a report and as
 * JSON; `--limit` reads fewer; an unknown workflow or a bad option is an error naming it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowPerformance } from '../../src/performance/workflow-performance.js';
import { runOrders } from '../helpers/order-runs.js';
import { cli, parseJson, tempStore } from './fixtures/cli-harness.js';

const store = tempStore('orch-cli-perf-');
afterAll(() => store.remove());
let recorded: WorkflowPerformance;

beforeAll(async () => {
  recorded = await runOrders(store.url);
});

describe('orchestrator performance', () => {
  it('answers, as JSON, the figures the process that ran the executions recorded', async () => {
    const r = await cli(['performance', 'order', '--store', store.url, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { recorded: _, ...figures } = recorded;
    expect(parseJson(r.stdout)).toEqual({
      source: 'store',
      store: store.url,
      ...figures,
      runs: 3,
      recorded: "the newest 3 finished executions in the store, every node's, of v1",
    });
  });

  it('prints a report: the runs, the bottleneck, each step, the suggestions', async () => {
    const r = await cli(['performance', 'order', '--store', store.url]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`Performance of workflow order in ${store.url}`);
    expect(lines[1]).toBe("From the newest 3 finished executions in the store, every node's, of v1.");
    expect(r.stdout).toMatch(/^ {2}runs {8}3$/m);
    expect(r.stdout).toMatch(/^ {2}bottleneck {2}charge {2}\(92\.1% of the step time\)$/m);
    expect(r.stdout).toMatch(
      /^STEP\s+RUNS\s+AVG\s+P95\s+WAITING\s+COMPENSATION\s+RETRIES\s+FAILURES\s+SHARE$/m,
    );
    // reserve was compensated once (300 ms), charge retried once after a 1 s wait, ship failed once;
    // the condition step is no step of work.
    expect(r.stdout).toMatch(/^reserve\s+3\s+0 ms\s+0 ms\s+0 ms\s+300 ms\s+0\s+0\s+0\.0%$/m);
    expect(r.stdout).toMatch(/^charge\s+3\s+2\.33 s\s+4\.00 s\s+333 ms\s+-\s+1\s+0\s+92\.1%$/m);
    expect(r.stdout).toMatch(/^ship\s+3\s+200 ms\s+200 ms\s+0 ms\s+-\s+0\s+1\s+7\.9%$/m);
    expect(lines).toContain('Suggestions');
    for (const s of recorded.suggestions) expect(r.stdout).toContain(`  - ${s}`);
  });

  it('reads only the newest --limit executions', async () => {
    const r = await cli(['performance', 'order', '--store', store.url, '--limit', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const body = parseJson<{
      runs: number;
      stats: { count: number };
      steps: { name: string; failures: number }[];
    }>(r.stdout);
    expect(body.runs).toBe(1);
    expect(body.stats.count).toBe(1);
    expect(body.steps.find((s) => s.name === 'ship')?.failures).toBe(1);
  });

  it('refuses a workflow the store does not define, naming the closest, and bad options', async () => {
    const [unknown, zero, tooMany, threshold] = await Promise.all([
      cli(['performance', 'ordr', '--store', store.url]),
      cli(['performance', 'order', '--store', store.url, '--limit', '0']),
      cli(['performance', 'order', '--store', store.url, '--limit', '1001']),
      cli(['performance', 'order', '--store', store.url, '--slow-threshold', 'fast']),
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(
      'No workflow ordr is defined in this store (it knows order). Did you mean order?',
    );
    for (const r of [zero, tooMany]) {
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("option '--limit <n>' argument");
      expect(r.stderr).toContain('Expected an integer from 1 to 1000.');
    }
    expect(threshold.code).toBe(2);
    expect(threshold.stderr).toContain("option '--slow-threshold <ms>' argument 'fast' is invalid");
  });

  it('takes a --slow-threshold as long as the config takes (1e12 ms), not more', async () => {
    const [longest, over] = await Promise.all([
      cli(['performance', 'order', '--store', store.url, '--slow-threshold', '1000000000000', '--json']),
      cli(['performance', 'order', '--store', store.url, '--slow-threshold', '1000000000001']),
    ]);
    expect(longest.code, longest.stderr).toBe(0);
    expect(parseJson<{ slowThresholdMs: number; suggestions: string[] }>(longest.stdout)).toMatchObject({
      slowThresholdMs: 1e12,
      suggestions: [],
    });
    expect(over.code).toBe(2);
    expect(over.stderr).toContain('Expected an integer from 1 to 1000000000000.');
  });
});

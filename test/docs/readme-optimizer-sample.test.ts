/**
 * Runs the README's sample of `orch.performanceOptimizer` and `orch.loadBalancer` as written, after
 * the quick start's 'order' workflow ran with `charge_payment` its slowest step (virtual time), and
 * checks it gives what its comments show.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { FakeClock, LoadBalancer, PerformanceOptimizer } from '../../src/index.js';
import { finishWithClock, withOrchestrator } from '../helpers/orchestrator.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const SAMPLE = [...README.matchAll(/^```ts\n([\s\S]*?)^```/gm)]
  .map((m) => m[1] ?? '')
  .filter((code) => code.includes("orch.performanceOptimizer.getStats('order')"));

const dir = mkdtempSync(join(tmpdir(), 'readme-optimizer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("README's optimizer and balancer sample, run", () => {
  it('names the slowest step, its share and the load as its comments show', async () => {
    expect(SAMPLE).toHaveLength(1);
    const clock = new FakeClock();
    const work =
      (ms: number) =>
      async (_input: unknown, ctx: { signal: AbortSignal }): Promise<object> => {
        await clock.sleep(ms, ctx.signal);
        return {};
      };
    const orch = await withOrchestrator({
      store: 'memory',
      clock,
      actions: { reserve_inventory: work(100), charge_payment: work(1_300), ship_order: work(200) },
      compensations: { release_inventory: () => undefined, refund_payment: () => undefined },
    });
    // The quick start's definition.
    await orch.workflowEngine.defineWorkflow('order', [
      { name: 'reserve_inventory', compensation: 'release_inventory', timeout: 5 },
      { name: 'charge_payment', retry: true, compensation: 'refund_payment' },
      { name: 'ship_order', retry: { maxAttempts: 5, initialDelay: 2 } },
    ]);
    const id = await orch.workflowEngine.executeWorkflow('order', { items: ['sku-1'], amount: 42 });
    expect((await finishWithClock(orch, clock, id, { stepMs: 50 })).status).toBe('completed');

    const stats = vi.spyOn(PerformanceOptimizer.prototype, 'getStats');
    const bottleneck = vi.spyOn(PerformanceOptimizer.prototype, 'identifyBottleneck');
    const steps = vi.spyOn(PerformanceOptimizer.prototype, 'getStepStats');
    const suggest = vi.spyOn(PerformanceOptimizer.prototype, 'suggestOptimization');
    const load = vi.spyOn(LoadBalancer.prototype, 'getLoadDistribution');
    const balanced = vi.spyOn(LoadBalancer.prototype, 'isBalanced');
    const file = join(dir, 'sample.ts');
    writeFileSync(file, `const orch = (globalThis as any).readmeOrch;\n${SAMPLE[0]}\nexport {};\n`);
    (globalThis as Record<string, unknown>).readmeOrch = orch;
    try {
      await import(pathToFileURL(file).href);
    } finally {
      delete (globalThis as Record<string, unknown>).readmeOrch;
    }

    expect(Object.keys(stats.mock.results[0]?.value)).toEqual([
      'count',
      'avg',
      'min',
      'max',
      'p50',
      'p95',
      'p99',
    ]);
    expect(stats.mock.results[0]?.value).toMatchObject({ count: 1 });
    expect(bottleneck.mock.results[0]?.value).toBe('charge_payment');
    const charge = (steps.mock.results[0]?.value as Record<string, object> | undefined)?.charge_payment;
    expect(Object.keys(charge ?? {})).toEqual([
      'count',
      'avg',
      'p95',
      'max',
      'retries',
      'failures',
      'waitAvg',
      'queueAvg',
      'compensations',
      'compensationAvg',
      'share',
    ]);
    const advice = suggest.mock.results[0]?.value as string[];
    expect(advice[0]).toBe('Consider parallel execution of independent steps');
    // 1.3 s of the steps' 1.6 s: the README's 81%, of the one execution the sample ran.
    expect(advice.at(-1)).toBe(
      "Step 'charge_payment' takes 81% of the workflow's step time (from 1 execution only)",
    );
    expect(load.mock.results[0]?.value).toEqual({ worker_1: 0 });
    expect(balanced.mock.results[0]?.value).toBe(true);
    vi.restoreAllMocks();
  });
});

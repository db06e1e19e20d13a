/**
 * `prometheus: { defaultMetrics: true }` (what `serve` uses): prom-client's process collectors (an
 * event-loop-delay monitor, a GC observer) can never be stopped, so an app that made its own kept
 * its registry, and through the registry's gauges its orchestrator, in memory after both closed.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createOrchestrator } from '../../src/index.js';
import { buildApp } from '../../src/server/app.js';
import { TOKEN } from './helpers.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Builds, scrapes and closes an orchestrator and its app; returns weak references to both. */
async function buildAndClose(): Promise<WeakRef<object>[]> {
  const orch = await createOrchestrator({ store: 'memory' });
  const app = await buildApp(orch, { token: TOKEN, prometheus: { defaultMetrics: true } });
  const scrape = await app.inject({ url: '/metrics' });
  expect(scrape.body).toContain('orchestrator_process_cpu_seconds_total');
  expect(scrape.body).toContain('orchestrator_nodejs_eventloop_lag_seconds');
  await app.close();
  await orch.close();
  return [new WeakRef(orch), new WeakRef(app)];
}

describe('GET /metrics with defaultMetrics', () => {
  it('leaves nothing of a closed app and its orchestrator in memory', async () => {
    const refs = [...(await buildAndClose()), ...(await buildAndClose())];
    for (let i = 0; i < 5 && refs.some((r) => r.deref() !== undefined); i++) {
      await new Promise((resolve) => setImmediate(resolve));
      gc();
    }
    expect(refs.filter((r) => r.deref() !== undefined)).toHaveLength(0);
  });

  it('every app serves the process metrics, with its own prefix', async () => {
    const orch = await createOrchestrator({ store: 'memory' });
    const a = await buildApp(orch, { token: TOKEN, prometheus: { defaultMetrics: true } });
    const b = await buildApp(orch, { token: TOKEN, prometheus: { prefix: 'b_', defaultMetrics: true } });
    try {
      expect((await a.inject({ url: '/metrics' })).body).toContain('orchestrator_process_cpu_seconds_total');
      const other = (await b.inject({ url: '/metrics' })).body;
      expect(other).toContain('b_process_cpu_seconds_total');
      expect(other).toContain('b_queue_depth');
      expect(other).not.toContain('orchestrator_');
    } finally {
      await a.close();
      await b.close();
      await orch.close();
    }
  });
});

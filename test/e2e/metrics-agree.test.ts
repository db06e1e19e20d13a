/**
 * The figures operators read agree for the same executions: the live `getMetrics()`, a new
 * orchestrator's snapshot on the same store (read from its aggregates), `orchestrator metrics
 * --json`, and `orchestrator status --json` against `GET /v1/executions/:id`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createOrchestrator, type Orchestrator } from '../../src/index.js';
import { buildApp } from '../../src/server/app.js';
import { silentLogger } from '../helpers/orchestrator.js';
import { cli, parseJson, tempStore } from './fixtures/cli-harness.js';

interface Figures {
  executions: Record<string, number>;
  successRate: number;
  retryRate: number;
  compensationRate: number;
  stepsRun: number;
}

const open: Orchestrator[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

async function orchestrator(store: string): Promise<Orchestrator> {
  let flaky = 0;
  const orch = await createOrchestrator({
    store,
    retryDelay: 0.01,
    logger: silentLogger,
    actions: {
      ok: () => ({ ok: true }),
      flaky: () => {
        flaky++;
        if (flaky % 2 === 1) throw new Error('odd');
        return flaky;
      },
      bad: () => {
        throw new Error('bad');
      },
    },
    compensations: { undo: () => undefined },
  });
  open.push(orch);
  return orch;
}

describe('metrics agree across live, store and CLI', () => {
  it('counts, rates, status', async () => {
    const tmp = tempStore();
    const store = tmp.url;
    const orch = await orchestrator(store);
    const e = orch.workflowEngine;
    await e.defineWorkflow('good', [
      { name: 'ok' },
      { name: 'flaky', retry: { maxAttempts: 2, initialDelay: 0.01 } },
    ]);
    await e.defineWorkflow('saga', [{ name: 'ok', compensation: 'undo' }, { name: 'bad' }]);
    await e.defineWorkflow('par', [
      { name: 'p', parallel: [{ name: 'ok' }, { name: 'flaky', retry: true }] },
    ]);
    const ids: string[] = [];
    for (const wf of ['good', 'good', 'saga', 'par', 'good', 'saga']) {
      const id = await e.executeWorkflow(wf);
      ids.push(id);
      await e.waitForCompletion(id, { timeout: 10 });
    }
    const live = orch.getMetrics();
    const liveSaga = orch.getMetrics('saga');
    const app = await buildApp(orch, { token: 'tok-0123456789abcdef0123' });
    const api = await app.inject({
      url: `/v1/executions/${ids[3]}`,
      headers: { authorization: 'Bearer tok-0123456789abcdef0123' },
    });
    const apiMetrics = (
      await app.inject({ url: '/v1/metrics', headers: { authorization: 'Bearer tok-0123456789abcdef0123' } })
    ).json();
    await app.close();
    await orch.close();
    open.length = 0;

    const rates = (m: Figures) => ({
      successRate: m.successRate,
      retryRate: m.retryRate,
      compensationRate: m.compensationRate,
      stepsRun: m.stepsRun,
    });
    expect(apiMetrics.executions).toEqual(live.executions);
    expect(rates(apiMetrics)).toEqual(rates(live));
    expect(apiMetrics.avgExecutionMs).toBeCloseTo(live.avgExecutionMs, 6);

    const cliMetrics = parseJson<Figures & { workflows: (Figures & { workflowId: string })[] }>(
      (await cli(['metrics', '--json', '--store', store])).stdout,
    );
    expect(cliMetrics.executions).toEqual(live.executions);
    expect(rates(cliMetrics)).toEqual(rates(live));
    const cliSaga = cliMetrics.workflows.find((w) => w.workflowId === 'saga');
    expect(cliSaga?.executions).toEqual(liveSaga.executions);
    expect(cliSaga && rates(cliSaga)).toEqual(rates(liveSaga));

    const again = await orchestrator(store);
    expect(again.getMetrics().executions).toEqual(live.executions);
    expect(rates(again.getMetrics())).toEqual(rates(live));

    const cliStatus = parseJson<Record<string, unknown>>(
      (await cli(['status', ids[3] as string, '--json', '--store', store])).stdout,
    );
    expect(cliStatus).toEqual(api.json());
  });
});

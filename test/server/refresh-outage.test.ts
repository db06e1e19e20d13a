/**
 * On a shared durable store the workflow listings re-read the stored definitions
 * (`refreshWorkflows`); when that read fails (the database is unreachable for a moment), the
 * listings answer what this node knows, as they did before they read the store: a Prometheus
 * scrape in particular must not fail because of an outage it is there to show.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/index.js';
import { openStore } from '../../src/store/open-store.js';
import { memoryLogger, tempSqliteUrl } from '../helpers/orchestrator.js';
import { closeAll, define, setup } from './helpers.js';

afterEach(closeAll);

describe('workflow listings while the store cannot be read', () => {
  it('GET /metrics, GET /v1/workflows and refreshWorkflows answer what the node knows', async () => {
    const store = openStore(tempSqliteUrl());
    const logger = memoryLogger();
    const clock = new FakeClock();
    const f = await setup({ orchestrator: { store, sweepInterval: 0.01, logger, clock } });
    await define(f, 'known', [{ name: 'greet' }]);
    // Past the re-read interval (sweepInterval): the next listing reads the store again.
    await clock.advance(10);
    store.listDefinitions = async () => {
      throw new Error('connection refused');
    };

    await expect(f.orch.workflowEngine.refreshWorkflows()).resolves.toBeUndefined();
    const metrics = await f.app.inject({ url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('orchestrator_executions_by_status{workflow="known"');
    const listed = await f.call({ url: '/v1/workflows' });
    expect(listed.statusCode).toBe(200);
    expect(logger.lines.some((l) => l.msg?.includes('could not re-read'))).toBe(true);
    expect((listed.json() as { workflows: { id: string }[] }).workflows.map((w) => w.id)).toEqual(['known']);
  });
});

/**
 * buildApp checks every option up front: a misspelt one (`{ bodylimit: 10 }`) was ignored and
 * the 1 MiB default applied; `nodes: 5` built an app whose GET /v1/workers answered 500 on
 * every call; `remoteWorkers: {}` (or true) built one whose close() threw 'hub.releasePolls is
 * not a function'; `plugins: {}` or `[5]` and `prometheus: null` threw bare TypeErrors, and a
 * prometheus prefix that is no metric name a bare 'Invalid metric name'. Each is now a
 * ValidationError naming the option.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildApp,
  createOrchestrator,
  type Orchestrator,
  RemoteWorkerHub,
  ValidationError,
} from '../../src/index.js';
import { TOKEN } from './helpers.js';

let orch: Orchestrator;
beforeAll(async () => {
  orch = await createOrchestrator({ store: 'memory' });
});
afterAll(() => orch.close());

async function pathsOf(extra: Record<string, unknown>): Promise<string[]> {
  try {
    const app = await buildApp(orch, { token: TOKEN, ...extra });
    await app.close();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues.map((i) => i.path);
  }
  throw new Error('expected a ValidationError');
}

describe('buildApp options', () => {
  it.each([
    [{ bodylimit: 10 }, 'bodylimit'],
    [{ nodes: 5 }, 'nodes'],
    [{ remoteWorkers: {} }, 'remoteWorkers'],
    [{ remoteWorkers: true }, 'remoteWorkers'],
    [{ plugins: {} }, 'plugins'],
    [{ plugins: [5] }, 'plugins[0]'],
    [{ prometheus: null }, 'prometheus'],
    [{ prometheus: { prefx: 'x_' } }, 'prometheus.prefx'],
    [{ prometheus: { prefix: 'a b-' } }, 'prometheus.prefix'],
    [{ prometheus: { prefix: 5 } }, 'prometheus.prefix'],
    [{ prometheus: { defaultMetrics: 'yes' } }, 'prometheus.defaultMetrics'],
    [{ apiVersion: 5 }, 'apiVersion'],
    [{ apiVersion: '' }, 'apiVersion'],
  ])('refuses %j naming %s', async (extra, path) => {
    expect(await pathsOf(extra)).toEqual([path]);
  });

  it('refuses a logger that is no pino logger, saying what it lacks (Fastify named its loggerInstance)', async () => {
    for (const logger of [5, 'info', true, null]) expect(await pathsOf({ logger })).toEqual(['logger']);
    const fourMethods = { info() {}, warn() {}, error() {}, debug() {} };
    await expect(buildApp(orch, { token: TOKEN, logger: fourMethods as never })).rejects.toThrow(
      'logger: Expected `logger` to be a pino logger (pino() makes one), got an object without fatal, trace, child',
    );
    const app = await buildApp(orch, { token: TOKEN, logger: pino({ level: 'silent' }) });
    await app.close();
  });

  it('refuses options that are no object', async () => {
    await expect(buildApp(orch, null as never)).rejects.toThrow(/options: expected an object/);
    await expect(buildApp(orch, [] as never)).rejects.toThrow(ValidationError);
  });

  it('takes the documented options', async () => {
    const app = await buildApp(orch, {
      token: TOKEN,
      bodyLimit: 1000,
      nodes: () => [],
      prometheus: { prefix: 'my_app_', defaultMetrics: false },
      plugins: [],
      apiVersion: '2.0.0',
      remoteWorkers: new RemoteWorkerHub(),
    });
    const metrics = await app.inject({ url: '/metrics' });
    expect(metrics.body).toMatch(/my_app_executions_started_total/);
    await app.close();
    const without = await buildApp(orch, { token: TOKEN, remoteWorkers: false });
    await without.close();
  });
});

/**
 * A real HTTP server for the end-to-end remote-worker tests: an in-memory orchestrator, a hub
 * with short leases, and the app listening on a free port of 127.0.0.1. Closed when the test ends.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { onTestFinished } from 'vitest';
import {
  type AppOptions,
  buildApp,
  createOrchestrator,
  type Orchestrator,
  type OrchestratorOptions,
  RemoteWorkerHub,
  type RemoteWorkerHubOptions,
} from '../../src/index.js';

export const TOKEN = 'remote-test-token-0123456789';

export interface Server {
  orch: Orchestrator;
  hub: RemoteWorkerHub;
  app: FastifyInstance;
  url: string;
}

/** Starts an orchestrator and its HTTP API on a free port; everything closes when the test ends. */
export async function startServer(
  options: {
    orchestrator?: OrchestratorOptions;
    hub?: RemoteWorkerHubOptions;
    app?: Partial<AppOptions>;
  } = {},
): Promise<Server> {
  const orch = await createOrchestrator({ store: 'memory', ...options.orchestrator });
  const hub = new RemoteWorkerHub({ leaseSeconds: 1, pollSeconds: 1, ...options.hub }).attach(
    orch.workflowEngine,
  );
  const app = await buildApp(orch, { token: TOKEN, remoteWorkers: hub, ...options.app });
  onTestFinished(async () => {
    await app.close();
    hub.close();
    await orch.close();
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address !== 'object') throw new Error('no address');
  return { orch, hub, app, url: `http://127.0.0.1:${address.port}` };
}

/** Polls `check` (real time) until it returns a truthy value. */
export async function eventually<T>(
  check: () => T | Promise<T>,
  what: string,
  ms = 10_000,
): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

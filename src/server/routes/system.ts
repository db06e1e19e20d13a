/**
 * Routes outside `/v1`, all public (SPEC §7: no token): `GET /healthz` (liveness),
 * `GET /readyz` (readiness: the store answers), `GET /openapi.json` (generated from the route
 * schemas) and `GET /metrics` (Prometheus text, for scrapers).
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { PrometheusExporter } from '../../monitoring/prometheus.js';
import type { Orchestrator } from '../../orchestrator.js';
import { within } from '../../within.js';
import { errorEnvelopeSchema } from '../schemas.js';
import { STORE_WAIT_MS } from '../store-wait.js';

/** Dependencies of the system routes. */
export interface SystemDeps {
  orch: Orchestrator;
  exporter: PrometheusExporter;
}

/**
 * The read `/readyz` makes: an execution id no execution has (ids start with `exec_`), looked up
 * by primary key on every store.
 */
const PROBE_ID = 'readyz-probe';

/** Registers `/healthz`, `/readyz`, `/openapi.json` and `/metrics` on the root scope. */
export async function systemRoutes(scope: FastifyInstance, deps: SystemDeps): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const { orch, exporter } = deps;

  app.get(
    '/healthz',
    {
      // Probes and scrapers call these every few seconds: keep them out of the info log.
      logLevel: 'warn',
      // While the app closes, the same 503 as while the orchestrator does (not the error envelope).
      config: { auth: false, closingBody: { status: 'closing' } },
      schema: {
        summary: 'Liveness: 200 while the orchestrator takes work, 503 once it is closing',
        tags: ['system'],
        security: [],
        response: {
          200: z.object({ status: z.literal('ok') }),
          503: z.object({ status: z.literal('closing') }),
        },
      },
    },
    async (_req, reply) =>
      orch.closed ? reply.code(503).send({ status: 'closing' as const }) : { status: 'ok' as const },
  );

  app.get(
    '/readyz',
    {
      logLevel: 'warn',
      config: { auth: false, closingBody: { status: 'closing' } },
      schema: {
        summary:
          'Readiness: 200 while the store answers a read within a second, 503 when it fails or does not answer, or once the orchestrator is closing',
        tags: ['system'],
        security: [],
        response: {
          200: z.object({ status: z.literal('ready') }),
          503: z.object({ status: z.enum(['unavailable', 'closing']) }),
        },
      },
    },
    async (req, reply) => {
      if (orch.closed) return reply.code(503).send({ status: 'closing' as const });
      // A read, and the writes' own check where the store has one: a SQLite file deleted since it
      // opened still answers reads, though every write is refused until a restart.
      const { store } = orch;
      const read = Promise.resolve().then(async () => {
        await store.checkWritable?.();
        return store.getExecution(PROBE_ID);
      });
      const settled = await within(read, STORE_WAIT_MS, orch.config.clock);
      if (settled?.ok) return { status: 'ready' as const };
      // The reason goes to the log only: the probe is public, and a store's error names its server.
      const detail = settled === undefined ? { waitedMs: STORE_WAIT_MS } : { err: settled.error };
      req.log.warn(detail, 'readiness probe: the store is unavailable');
      return reply.code(503).send({ status: 'unavailable' as const });
    },
  );

  app.get(
    '/openapi.json',
    {
      config: { auth: false },
      schema: {
        summary: 'This API as an OpenAPI 3.1 document',
        tags: ['system'],
        security: [],
        response: {
          200: {
            description: 'This document',
            content: { 'application/json': { schema: z.looseObject({ openapi: z.string() }) } },
          },
          // A request that arrives while the app closes (as on every route).
          503: errorEnvelopeSchema,
        },
      },
    },
    // Sent as text, as is (the type provider types `send` for the schema's object, hence the cast).
    async (_req, reply) =>
      reply.type('application/json; charset=utf-8').send(JSON.stringify(app.swagger()) as never),
  );

  app.get(
    '/metrics',
    {
      logLevel: 'warn',
      config: { auth: false },
      schema: {
        summary: 'Prometheus metrics (text exposition format)',
        tags: ['system'],
        security: [],
        response: {
          200: {
            description: 'Prometheus text format 0.0.4',
            content: { 'text/plain': { schema: z.string() } },
          },
          500: errorEnvelopeSchema,
          // A request that arrives while the app closes (as on every route).
          503: errorEnvelopeSchema,
        },
      },
    },
    async (_req, reply) => reply.type(exporter.contentType).send(await exporter.metrics()),
  );
}

/**
 * `GET /v1/workflows/:id/performance`: where a workflow's time goes, as the dashboard's workflow
 * page shows it — the optimizer's figures of this node's runs (see `workflowPerformance`), or with
 * `?source=store` of the newest finished executions in the store, every node's (see
 * `storedPerformance`).
 * @module
 */

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ValidationError } from '../../errors.js';
import type { Orchestrator } from '../../orchestrator.js';
import { DEFAULT_STORED_RUNS, MAX_STORED_RUNS } from '../../performance/stored-performance.js';
import { blankIsAbsent, decimalCount, errorResponses, workflowParamsSchema } from '../schemas.js';
import { workflowWithin } from '../store-wait.js';
import { FIGURES_SOURCES, figuresOf } from '../workflow-figures.js';
import { workflowNotFound } from '../workflow-not-found.js';

const count = z.number().int().nonnegative();
const ms = z.number().nonnegative();
const share = z.number().min(0).max(1);

/** The query of `GET /v1/workflows/:id/performance`. */
const performanceQuerySchema = z.strictObject({
  source: blankIsAbsent(
    z.enum(FIGURES_SOURCES).default('node'),
    "Where the figures come from: `node` (default), the runs the node answering recorded since it started; `store`, the newest finished executions in the store, whichever node ran them (in cluster mode, the cluster's)",
  ),
  limit: blankIsAbsent(
    decimalCount(z.coerce.number().int().min(1).max(MAX_STORED_RUNS).optional()),
    `With source=store: how many of the newest finished executions to read (default ${DEFAULT_STORED_RUNS}, at most ${MAX_STORED_RUNS})`,
  ),
});

/** The response of `GET /v1/workflows/:id/performance` (durations in ms). */
export const workflowPerformanceSchema = z
  .object({
    workflowId: z.string(),
    nodeId: z
      .string()
      .describe('The node answering: with source=node, the one whose runs the figures come from'),
    source: z.enum(FIGURES_SOURCES).describe('Where the figures come from, as asked'),
    runs: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe('With source=store: the finished executions read (at most `limit`)'),
    version: z
      .number()
      .int()
      .positive()
      .nullable()
      .describe(
        'The definition version the figures describe (the newest that ran here); null: none recorded',
      ),
    recorded: z.string().describe('Where the figures come from, as the dashboard says it'),
    stats: z
      .object({ count, avg: ms, min: ms, max: ms, p50: ms, p95: ms, p99: ms })
      .describe('Execution times (all 0 with no run recorded)'),
    steps: z
      .array(
        z.object({
          name: z.string(),
          count,
          avg: ms,
          p95: ms,
          max: ms,
          retries: count,
          failures: count,
          waitAvg: ms.describe('Mean time per run between attempts, part of avg'),
          queueAvg: ms.describe('Mean time per run its tasks waited for a remote worker, part of avg'),
          compensations: count,
          compensationAvg: ms.describe('Mean time of one compensation (not part of avg nor share)'),
          share: share.describe("This step's share of all the workflow's step time"),
        }),
      )
      .describe('Each recorded step, in first-recorded order ([] with none)'),
    bottleneck: z
      .object({ step: z.string(), share })
      .nullable()
      .describe('The slowest step on average and its share of the step time; null when no step took time'),
    slowThresholdMs: ms.describe('Executions averaging above this get suggestions'),
    suggestions: z
      .array(z.string())
      .describe(
        'The optimizer\'s suggestions for the recorded average ([] at or under slowThresholdMs); shares from fewer than 5 executions end with "(from 3 executions only)"',
      ),
  })
  .meta({ id: 'WorkflowPerformance' });

/** Registers `GET /workflows/:id/performance` on a `/v1`-prefixed scope. */
export async function workflowPerformanceRoutes(
  scope: FastifyInstance,
  deps: { orch: Orchestrator },
): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const { orch } = deps;

  app.get(
    '/workflows/:id/performance',
    {
      schema: {
        summary:
          "Where a workflow's time goes: execution and step times, bottleneck, suggestions (this node's, or the store's)",
        description:
          "The figures the dashboard's workflow page shows, from the runs this node recorded since it started (of the newest version that ran); with `source=store`, from the newest `limit` finished executions in the store, whichever node ran them (each step's latest visit; `queueAvg` as the node that ran each step saw it, stored with the step's end). A defined workflow with no run recorded yet answers zeros, no steps, bottleneck null and no suggestions. One that is not defined (here or, through the store, on another node) is a 404 WORKFLOW_NOT_FOUND as `GET /v1/workflows/:id`.",
        tags: ['workflows', 'monitoring'],
        params: workflowParamsSchema,
        querystring: performanceQuerySchema,
        response: { 200: workflowPerformanceSchema, ...errorResponses(400, 404, 414, 503) },
      },
    },
    async (req) => {
      const { id } = req.params;
      const { source, limit } = req.query;
      if (source === 'node' && limit !== undefined) {
        throw new ValidationError(
          [
            {
              path: 'query.limit',
              message: 'only with source=store (the node keeps no list of runs to count)',
            },
          ],
          'Invalid request',
        );
      }
      // Read as GET /v1/workflows/:id reads it (the store, for one defined on another node).
      if (!(await workflowWithin(orch, id))) throw workflowNotFound(orch, id);
      return { ...(await figuresOf(orch, id, source, limit)), nodeId: orch.nodeId, source };
    },
  );
}

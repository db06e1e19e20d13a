/**
 * Workflow routes: define (`POST /v1/workflows`), list, get (latest or `?version=`), and start
 * an execution (`POST /v1/workflows/:id/executions`).
 * @module
 */

import type { FastifyInstance, FastifySchemaCompiler, FastifySerializerCompiler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { workflowDefinitionSchema } from '../../definition/schema.js';
import type { StepDefinition, WorkflowDefinition, WorkflowOptions } from '../../definition/types.js';
import { OrchestratorError, ValidationError } from '../../errors.js';
import type { Orchestrator } from '../../orchestrator.js';
import { toJson } from '../json.js';
import { assertHeaderOnce } from '../repeated-header.js';
import { inRequestTerms } from '../request-paths.js';
import {
  blankIsAbsent,
  decimalCount,
  definitionEnvelopeSchema,
  errorResponses,
  executeBodySchema,
  executeHeadersSchema,
  workflowParamsSchema,
  workflowSchema,
} from '../schemas.js';
import { refreshWithin, workflowWithin } from '../store-wait.js';
import { zodValidator } from '../validation.js';
import { workflowNotFound } from '../workflow-not-found.js';

type WorkflowJson = z.output<typeof workflowSchema>;

const asJson = (def: WorkflowDefinition): WorkflowJson => toJson(def) as WorkflowJson;

/**
 * The definition body is documented with the full definition schema, but only its envelope is
 * checked here: the engine's validator then reports every problem with its path
 * (`steps[2].then: unknown step 'foo'`), which a zod union error cannot. Other parts (the query)
 * are checked with their own schemas.
 */
const envelopeOnly: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) =>
  httpPart === 'body'
    ? zodValidator(definitionEnvelopeSchema, 'body')
    : zodValidator(schema as z.ZodType, httpPart);

/**
 * Stored definitions are sent as stored, not checked against the definition schema: a version a
 * node of a newer release defined may hold keys this release does not know, and the check failed
 * the whole listing with a 500 on the older nodes.
 */
const asStored: FastifySerializerCompiler<unknown> = () => (data) => JSON.stringify(data);

/** Registers the workflow routes on a `/v1`-prefixed scope. */
export async function workflowRoutes(scope: FastifyInstance, deps: { orch: Orchestrator }): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const engine = deps.orch.workflowEngine;

  app.post(
    '/workflows',
    {
      validatorCompiler: envelopeOnly,
      schema: {
        summary: 'Define a workflow (a changed definition gets the next version)',
        description:
          'The same definition as the latest stored version, in whatever form (key order, whitespace, a fixed default written out or left out: see the README, Versions), answers 201 with that version and stores nothing. 409 CONFLICT when every version it tries to store is taken by other nodes defining the same workflow at once: define it again.',
        tags: ['workflows'],
        body: workflowDefinitionSchema.extend({
          $schema: z
            .string()
            .optional()
            .describe('Ignored (as in a definition file): the JSON Schema an editor checks the file against'),
        }),
        response: { 201: workflowSchema, ...errorResponses(400, 409, 413, 415, 503) },
      },
    },
    async (req, reply) => {
      const body = req.body as unknown as { id: unknown; steps: unknown; options?: unknown };
      const def = await engine.defineWorkflow(
        body.id as string,
        body.steps as StepDefinition[],
        body.options as WorkflowOptions | undefined,
      );
      reply.header('location', `/v1/workflows/${encodeURIComponent(def.id)}?version=${def.version}`);
      return reply.code(201).send(asJson(def));
    },
  );

  app.get(
    '/workflows',
    {
      serializerCompiler: asStored,
      schema: {
        summary: 'List workflows (latest version of each)',
        tags: ['workflows'],
        response: { 200: z.object({ workflows: z.array(workflowSchema) }), ...errorResponses() },
      },
    },
    async () => {
      // Another node sharing the store may have defined workflows since this one read them; a
      // store that does not answer within a second leaves the ones known here (as one that fails).
      await refreshWithin(deps.orch);
      return { workflows: engine.listWorkflows().map(asJson) };
    },
  );

  app.get(
    '/workflows/:id',
    {
      serializerCompiler: asStored,
      schema: {
        summary: 'Get a workflow definition (latest version, or ?version=)',
        tags: ['workflows'],
        params: workflowParamsSchema,
        querystring: z.strictObject({
          version: blankIsAbsent(
            decimalCount(z.coerce.number().int().positive().optional()),
            'This version (default: the latest)',
          ),
        }),
        response: { 200: workflowSchema, ...errorResponses(400, 404, 414, 503) },
      },
    },
    async (req) => {
      const { id } = req.params;
      const { version } = req.query;
      const def = await workflowWithin(deps.orch, id, version);
      if (!def) {
        if (version === undefined) throw workflowNotFound(deps.orch, id);
        throw new OrchestratorError('WORKFLOW_NOT_FOUND', `Workflow '${id}' has no version ${version}`);
      }
      return asJson(def);
    },
  );

  app.post(
    '/workflows/:id/executions',
    {
      schema: {
        summary: 'Start an execution of the latest version; 202 once it is stored',
        tags: ['executions'],
        params: workflowParamsSchema,
        headers: executeHeadersSchema,
        body: executeBodySchema,
        response: {
          202: z.object({ id: z.string() }),
          ...errorResponses(400, 404, 409, 413, 414, 415, 503),
        },
      },
    },
    async (req, reply) => {
      const { id } = req.params;
      const { input, idempotencyKey: fromBody } = req.body ?? {};
      // Node joins repeated headers into one value ('a, b'): a key neither header sent.
      assertHeaderOnce(req.raw.rawHeaders, 'idempotency-key');
      const fromHeader = req.headers['idempotency-key'];
      if (fromBody !== undefined && fromHeader !== undefined && fromBody !== fromHeader) {
        throw new ValidationError(
          [
            {
              path: 'idempotencyKey',
              message: 'the body field and the Idempotency-Key header differ; give one, or the same in both',
            },
          ],
          'Invalid request',
        );
      }
      const idempotencyKey = fromBody ?? fromHeader;
      const fields = {
        inputData: 'body.input',
        idempotencyKey: fromBody === undefined ? 'headers.idempotency-key' : 'body.idempotencyKey',
      };
      const executionId = await inRequestTerms(fields, () =>
        engine.executeWorkflow(id, input, idempotencyKey === undefined ? {} : { idempotencyKey }),
      );
      reply.header('location', `/v1/executions/${encodeURIComponent(executionId)}`);
      return reply.code(202).send({ id: executionId });
    },
  );
}

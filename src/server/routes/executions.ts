/**
 * Execution routes: status (`GET /v1/executions/:id`), listing with filters and pagination,
 * and cancellation (`POST /v1/executions/:id/cancel`).
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { ResponseSerializationError, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ExecutionNotFoundError } from '../../errors.js';
import type { Orchestrator } from '../../orchestrator.js';
import type { ExecutionStatus } from '../../types.js';
import { toJson } from '../json.js';
import { jsonWithList, LIST_PAGE_BYTES, readPage } from '../page-budget.js';
import { inRequestTerms } from '../request-paths.js';
import {
  errorResponses,
  executionParamsSchema,
  executionStatusSchema,
  listExecutionsQuerySchema,
} from '../schemas.js';

/** The list's query parameters, as the engine's checks of `listExecutions` name them. */
const LIST_FIELDS = {
  before: 'query.before',
  after: 'query.after',
  offset: 'query.offset',
  limit: 'query.limit',
  status: 'query.status',
  workflowId: 'query.workflowId',
};

type StatusJson = z.output<typeof executionStatusSchema>;

const asJson = (status: ExecutionStatus): StatusJson => toJson(status) as StatusJson;

/**
 * An execution of a listing page as JSON text, as the response schema serializes it (the same text
 * `GET /v1/executions/:id` sends): the page is sent as these texts, measured for its byte budget,
 * rather than serialized a second time.
 */
function asListedText(status: ExecutionStatus): string {
  const encoded = z.safeEncode(executionStatusSchema, asJson(status));
  if (!encoded.success) {
    throw new ResponseSerializationError('GET', '/v1/executions', { cause: encoded.error });
  }
  return JSON.stringify(encoded.data);
}

/** Registers the execution routes on a `/v1`-prefixed scope. */
export async function executionRoutes(scope: FastifyInstance, deps: { orch: Orchestrator }): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const engine = deps.orch.workflowEngine;

  app.get(
    '/executions',
    {
      schema: {
        summary: 'List executions, newest first',
        tags: ['executions'],
        querystring: listExecutionsQuerySchema,
        response: {
          200: z.object({
            executions: z.array(executionStatusSchema),
            total: z.number().int().nonnegative().describe('Executions matching the filter'),
            limit: z.number().int(),
            offset: z.number().int(),
            nextBefore: z
              .string()
              .nullable()
              .describe(
                'The `before` of the next (older) page: the id of the last execution of this one; null when this page is the last (shorter than `limit` and not `cut`, or empty). A non-empty page read with `after` always has one',
              ),
            cut: z
              .boolean()
              .describe(
                `True when the page ended before \`limit\` because its executions' JSON reached ${LIST_PAGE_BYTES / 1024 / 1024} MiB (one larger execution comes on a page of its own): page on with the cursors, or at \`offset\` + the page's length`,
              ),
            prevAfter: z
              .string()
              .nullable()
              .describe(
                'The `after` of the previous (newer) page: the id of the first execution of this one when it was read with a cursor (`before` or `after`) and is not empty; else null (a page from the newest has none newer)',
              ),
          }),
          ...errorResponses(400, 501, 503),
        },
      },
    },
    async (req, reply) => {
      const { status, workflowId, limit, offset, before, after } = req.query;
      const filter = { ...(status ? { status } : {}), ...(workflowId ? { workflowId } : {}) };
      const cursors = { ...(before ? { before } : {}), ...(after ? { after } : {}) };
      // Read a chunk at a time and kept from the side of the cursor (the oldest with `after`),
      // within the byte budget, so the cursors page on.
      const [{ items: executions, cut }, total] = await inRequestTerms(LIST_FIELDS, () =>
        Promise.all([
          readPage((window) => engine.listExecutions({ ...filter, ...window }), asListedText, {
            limit,
            offset,
            ...cursors,
          }),
          engine.countExecutions(filter),
        ]),
      );
      const first = executions[0]?.id ?? null;
      const last = executions[executions.length - 1]?.id ?? null;
      // A page shorter than the limit is the last (see `ListExecutionsOptions.before`) unless it
      // was cut; one read with `after` lies above its cursor's place, so older pages follow it
      // whatever its length.
      const nextBefore = after || cut || executions.length === limit ? last : null;
      const prevAfter = before || after ? first : null;
      // The executions' texts as measured, the other keys in the order of the response schema (the
      // text its serializer sent). Fastify sends a string with a JSON content type as it is; the
      // type provider types `send` for the schema's object, hence the cast.
      const rest = { total, limit, offset, nextBefore, cut, prevAfter };
      const text = jsonWithList(
        'executions',
        executions.map((item) => item.text),
        rest,
      );
      return reply.type('application/json; charset=utf-8').send(text as never);
    },
  );

  app.get(
    '/executions/:id',
    {
      schema: {
        summary: 'Status of one execution',
        tags: ['executions'],
        params: executionParamsSchema,
        response: { 200: executionStatusSchema, ...errorResponses(400, 404, 414, 503) },
      },
    },
    async (req) => {
      const status = await engine.getExecutionStatus(req.params.id);
      if (!status) throw new ExecutionNotFoundError(req.params.id);
      return asJson(status);
    },
  );

  app.post(
    '/executions/:id/cancel',
    {
      schema: {
        summary: 'Cancel a pending or running execution (compensating first where needed)',
        description:
          '`cancelled` is false when the execution had already finished or is compensating for a failure; a repeated cancel of one compensating for an earlier cancel answers once it ended (true).',
        tags: ['executions'],
        params: executionParamsSchema,
        // It takes no options: a body with a key (a reason, a force flag) is refused, not ignored.
        body: z.strictObject({}).optional().describe('No body, or {}'),
        response: { 200: z.object({ cancelled: z.boolean() }), ...errorResponses(400, 404, 414, 503) },
      },
    },
    async (req) => {
      const { id } = req.params;
      if (!(await engine.getExecutionStatus(id))) throw new ExecutionNotFoundError(id);
      return { cancelled: await engine.cancelWorkflow(id) };
    },
  );
}

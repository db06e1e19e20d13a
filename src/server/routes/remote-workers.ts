/**
 * Remote-worker routes under `/v1/remote-workers` (docs/remote-workers.md): register, long-poll
 * for a task, heartbeat, complete or fail it, deregister, and list workers. A thin layer over a
 * {@link RemoteWorkerHub}: bodies are validated with zod here, state and rules live in the hub.
 * @module
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { describeValue } from '../../describe-value.js';
import { BUILTIN_ACTION_NAMES } from '../../engine/action-registry.js';
import { ClosedError } from '../../errors.js';
import type { Orchestrator } from '../../orchestrator.js';
import { RemoteWorkerNotFoundError } from '../../remote/errors.js';
import type { RemoteWorkerHub } from '../../remote/hub.js';
import {
  ACTION_NAME_PATTERN,
  ERROR_CODE_PATTERN,
  MAX_FAIL_MESSAGE_LENGTH,
  MAX_POLL_WAIT_SECONDS,
  MAX_WORKER_ACTIONS,
  MAX_WORKER_NAME_LENGTH,
  RESERVED_ACTION_NAME,
  type RemoteTask,
} from '../../remote/protocol.js';
import { toJson } from '../json.js';
import { inRequestTerms } from '../request-paths.js';
import { errorResponses } from '../schemas.js';

/**
 * The level of the per-task routes (poll, heartbeat, complete, fail): a few requests per remote
 * step are machine traffic, like scrapes, and at info they would add lines per step under load.
 * Failures are still logged (at error, by the app's error handler).
 */
const PROTOCOL_LOG_LEVEL = 'warn';

/** Dependencies of the remote-worker routes. */
export interface RemoteWorkerDeps {
  orch: Orchestrator;
  hub: RemoteWorkerHub;
}

/** The poll body's fields, as the hub's check names them. */
const POLL_FIELDS = { actions: 'body.actions', waitSeconds: 'body.waitSeconds' };

const isoDate = z.iso.datetime({ offset: true });
const actionName = z
  .string()
  .regex(ACTION_NAME_PATTERN, {
    error: (issue) =>
      `expected a name matching [A-Za-z0-9_.-]+ (at most 128 characters), got ${describeValue(issue.input)}`,
  })
  .refine((name) => name !== RESERVED_ACTION_NAME, {
    error: () => `expected an action a workflow step can name, got the reserved "${RESERVED_ACTION_NAME}"`,
  })
  .refine((name) => !BUILTIN_ACTION_NAMES.has(name), {
    error: (issue) =>
      `expected an action of this worker's own, got the built-in action ${describeValue(issue.input)}`,
  });
const actionList = z.array(actionName).min(1).max(MAX_WORKER_ACTIONS);
const idParam = z.string().min(1).max(64);

const workerParams = z.object({ workerId: idParam.describe('The id `POST /v1/remote-workers` returned') });
const taskParams = z.object({ workerId: idParam, taskId: idParam.describe('The `taskId` of a polled task') });

const registerBody = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(MAX_WORKER_NAME_LENGTH)
    .optional()
    .describe('A label for people (listing, logs)'),
  actions: actionList.describe('The actions this worker serves'),
});

const pollBody = z
  .strictObject({
    actions: actionList.optional().describe('Only tasks of these registered actions; default all of them'),
    waitSeconds: z
      .number()
      .min(0)
      .max(MAX_POLL_WAIT_SECONDS)
      .optional()
      .describe('Seconds to wait for a task before answering 204; default `pollSeconds`'),
  })
  .optional();

const emptyBody = z.strictObject({}).optional();

const completeBody = z
  .strictObject({ output: z.unknown().optional().describe("The step's output (any JSON); default null") })
  .optional();

const failBody = z.strictObject({
  error: z.strictObject({
    code: z
      .string()
      .regex(ERROR_CODE_PATTERN, {
        error: (issue) =>
          `expected letters, digits and _.:- (at most 128), got ${describeValue(issue.input)}`,
      })
      .optional()
      .describe('The step error code; default STEP_FAILED (NON_RETRYABLE when not retryable)'),
    message: z.string().max(MAX_FAIL_MESSAGE_LENGTH),
  }),
  retryable: z
    .boolean()
    .optional()
    .describe("false: fail the step at once; default true (the step's retry policy decides)"),
});

const taskSchema = z
  .object({
    taskId: z.string(),
    action: z.string(),
    executionId: z.string(),
    workflowId: z.string(),
    step: z.string(),
    attempt: z.number().int().positive(),
    input: z.unknown(),
    idempotencyKey: z.string(),
    deadline: isoDate.nullable().describe('When the attempt times out; null without a step timeout'),
  })
  .meta({ id: 'RemoteTask' });

const workerSchema = z.looseObject({
  id: z.string(),
  name: z.string().optional(),
  actions: z.array(z.string()),
  registeredAt: isoDate,
  lastSeen: isoDate,
  polling: z.number().int().nonnegative(),
  tasks: z.array(
    z.looseObject({
      taskId: z.string(),
      action: z.string(),
      executionId: z.string(),
      workflowId: z.string(),
      step: z.string(),
      attempt: z.number().int(),
      leasedAt: isoDate,
      leaseUntil: isoDate,
      cancelled: z.boolean(),
    }),
  ),
});

const snapshotSchema = z.object({
  workers: z.array(workerSchema),
  queued: z.record(z.string(), z.number().int()).describe('Tasks waiting for a worker, by action'),
});

const noContent = z.null().describe('No content');

/**
 * A poll's answer with its task. The client may go away while the answer is written: a task whose
 * answer never got out goes back to the head of its queue rather than wait out its lease.
 */
function handOver(
  reply: FastifyReply,
  hub: RemoteWorkerHub,
  workerId: string,
  task: RemoteTask,
): { task: RemoteTask } {
  let sent = false;
  reply.raw.once('finish', () => {
    sent = true;
  });
  reply.raw.once('close', () => {
    if (!sent) hub.unlease(workerId, task.taskId);
  });
  return { task };
}

/**
 * `work`'s result; once the orchestrator is closed, a worker the hub does not know (its
 * registration ran out after the close) is refused with 503 `CLOSED`, as its registration would
 * be, rather than told to register again (404).
 */
async function closedForUnknown<T>(orch: Orchestrator, work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (orch.closed && error instanceof RemoteWorkerNotFoundError) throw new ClosedError();
    throw error;
  }
}

/**
 * Runs a worker's report on a task (complete, fail, release) once its node has confirmed the lease
 * of the task's execution where it may have lapsed (see `RemoteWorkerHub.confirmHeld`).
 */
function confirmedReport(
  orch: Orchestrator,
  hub: RemoteWorkerHub,
  { workerId, taskId }: { workerId: string; taskId: string },
  report: () => void,
): Promise<void> {
  return closedForUnknown(orch, async () => {
    await hub.confirmHeld(workerId, taskId);
    report();
  });
}

/** Registers the remote-worker routes on a `/v1`-prefixed scope. */
export async function remoteWorkerRoutes(scope: FastifyInstance, deps: RemoteWorkerDeps): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const { orch, hub } = deps;
  const tags = ['remote-workers'];
  // Long polls would hold `app.close()` for up to 30 s: answer them (204) as closing starts, and
  // refuse the polls that reach the handler after (routed before the close, body read after it).
  let closing = false;
  scope.addHook('preClose', async () => {
    closing = true;
    hub.releasePolls();
  });

  app.post(
    '/remote-workers',
    {
      schema: {
        summary: 'Register a remote worker and the actions it serves',
        description:
          'Answers a random `workerId` for the later requests, the lease length and the poll wait. ' +
          'An action a local handler serves on this node answers 409.',
        tags,
        body: registerBody,
        response: {
          201: z.object({
            workerId: z.string(),
            leaseSeconds: z
              .number()
              .describe(
                "Heartbeat a task within this, or its lease expires; the registration expires this long after the worker's last request",
              ),
            pollSeconds: z.number().describe('The wait a poll should ask for'),
          }),
          ...errorResponses(400, 409, 503),
        },
      },
    },
    async (req, reply) => {
      if (orch.closed) throw new ClosedError();
      return reply.code(201).send(hub.register(req.body));
    },
  );

  app.get(
    '/remote-workers',
    {
      schema: {
        summary: 'Registered remote workers, the tasks they hold, and queued tasks by action',
        tags,
        response: { 200: snapshotSchema, ...errorResponses() },
      },
    },
    async () => toJson(hub.snapshot()) as z.output<typeof snapshotSchema>,
  );

  app.delete(
    '/remote-workers/:workerId',
    {
      schema: {
        summary: 'Deregister a remote worker (the tasks it holds fail with WORKER_LOST and are retried)',
        tags,
        params: workerParams,
        body: emptyBody,
        response: { 204: noContent, ...errorResponses(400, 404, 414, 503) },
      },
    },
    async (req, reply) => {
      await closedForUnknown(orch, () => hub.deregister(req.params.workerId));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/remote-workers/:workerId/poll',
    {
      logLevel: PROTOCOL_LOG_LEVEL,
      schema: {
        summary: 'Long-poll for a task: 200 with a leased task, or 204 when none came within the wait',
        tags,
        params: workerParams,
        body: pollBody,
        response: {
          200: z.object({ task: taskSchema }),
          204: z.null().describe('No task arrived within the wait'),
          ...errorResponses(400, 404, 409, 414, 503),
        },
      },
    },
    async (req, reply) => {
      // (Every answer while the app closes also ends its connection: see `buildApp`.)
      if (closing) throw new ClosedError();
      const { workerId } = req.params;
      if (orch.closed) {
        // Draining (a shutdown's grace): a task already queued belongs to a step that runs now and
        // may still finish within the grace, so it is handed out; no poll waits for a new one.
        const queued = await closedForUnknown(orch, () =>
          inRequestTerms(POLL_FIELDS, () => hub.poll(workerId, { ...req.body, waitSeconds: 0 })),
        );
        if (!queued) throw new ClosedError();
        return handOver(reply, hub, workerId, queued);
      }
      const gone = new AbortController();
      const onClose = () => {
        if (!reply.raw.writableFinished) gone.abort();
      };
      reply.raw.once('close', onClose);
      let task: RemoteTask | null;
      try {
        // (The orchestrator may close during the wait: a worker dropped meanwhile is told so too.)
        task = await closedForUnknown(orch, () =>
          inRequestTerms(POLL_FIELDS, () => hub.poll(workerId, req.body ?? {}, gone.signal)),
        );
      } finally {
        reply.raw.off('close', onClose);
      }
      if (!task) return reply.code(204).send(null);
      // The client went away while the task was handed over: put it back rather than wait out the lease.
      if (gone.signal.aborted || reply.raw.destroyed) {
        hub.unlease(workerId, task.taskId);
        return reply.code(204).send(null);
      }
      return handOver(reply, hub, workerId, task);
    },
  );

  app.post(
    '/remote-workers/:workerId/tasks/:taskId/heartbeat',
    {
      logLevel: PROTOCOL_LOG_LEVEL,
      schema: {
        summary: "Renew a task's lease; `cancelled: true` means stop (the step was cancelled or timed out)",
        tags,
        params: taskParams,
        body: emptyBody,
        response: { 200: z.object({ cancelled: z.boolean() }), ...errorResponses(400, 404, 409, 414, 503) },
      },
    },
    async (req) => closedForUnknown(orch, () => hub.heartbeat(req.params.workerId, req.params.taskId)),
  );

  app.post(
    '/remote-workers/:workerId/tasks/:taskId/complete',
    {
      logLevel: PROTOCOL_LOG_LEVEL,
      schema: {
        summary: "Complete a task with the step's output",
        description:
          '409 when the task is no longer leased to this worker or was cancelled: the result is discarded.',
        tags,
        params: taskParams,
        body: completeBody,
        response: { 204: noContent, ...errorResponses(400, 404, 409, 414, 503) },
      },
    },
    async (req, reply) => {
      const { workerId, taskId } = req.params;
      await confirmedReport(orch, hub, req.params, () => hub.complete(workerId, taskId, req.body?.output));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/remote-workers/:workerId/tasks/:taskId/release',
    {
      logLevel: PROTOCOL_LOG_LEVEL,
      schema: {
        summary: 'Give a task back (the worker stops): the next poll gets it as the same attempt',
        description:
          'No attempt is spent: the step does not fail nor retry. 409 when the task is no longer leased to this worker or was cancelled.',
        tags,
        params: taskParams,
        body: emptyBody,
        response: { 204: noContent, ...errorResponses(400, 404, 409, 414, 503) },
      },
    },
    async (req, reply) => {
      const { workerId, taskId } = req.params;
      await confirmedReport(orch, hub, req.params, () => hub.release(workerId, taskId));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/remote-workers/:workerId/tasks/:taskId/fail',
    {
      logLevel: PROTOCOL_LOG_LEVEL,
      schema: {
        summary: 'Fail a task: retried per the step policy unless `retryable` is false',
        description:
          '409 when the task is no longer leased to this worker or was cancelled: the report is discarded.',
        tags,
        params: taskParams,
        body: failBody,
        response: { 204: noContent, ...errorResponses(400, 404, 409, 414, 503) },
      },
    },
    async (req, reply) => {
      const { error, retryable } = req.body;
      const { workerId, taskId } = req.params;
      await confirmedReport(orch, hub, req.params, () =>
        hub.fail(workerId, taskId, {
          error: { message: error.message, ...(error.code === undefined ? {} : { code: error.code }) },
          ...(retryable === undefined ? {} : { retryable }),
        }),
      );
      return reply.code(204).send(null);
    },
  );
}

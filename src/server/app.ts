/**
 * The HTTP app factory (DESIGN §3.6): `buildApp(orch, options)` returns a fastify instance
 * around an injected orchestrator — it never creates or closes one, and tests drive it with
 * `app.inject()`. Routes are declared with zod schemas; the OpenAPI document at
 * `/openapi.json` is generated from them. Every error answers `{ error: { code, message } }`
 * with the status from the one table in `errors.ts`.
 * @module
 */
import type { Socket } from 'node:net';
import fastifySwagger from '@fastify/swagger';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
} from 'fastify';
import { serializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { describeValue } from '../describe-value.js';
import { echo } from '../echo.js';
import { type Issue, ValidationError } from '../errors.js';
import { findDuplicateKey } from '../json-duplicate-keys.js';
import { findUnsafeInteger, unsafeIntegerText } from '../json-unsafe-integers.js';
import { PrometheusExporter, type PrometheusOptions } from '../monitoring/prometheus.js';
import { type Orchestrator, raisedAlertCounts, startedWorkflowIds } from '../orchestrator.js';
import { RemoteWorkerHub, remoteWorkerHubFor } from '../remote/hub.js';
import type { RemoteWorkerSummary } from '../remote/protocol.js';
import { assertReadable, optionsIssues } from '../unknown-keys.js';
import { AllowedMethods } from './allowed-methods.js';
import { createTokenVerifier, registerAuth, tokenProblem } from './auth.js';
import { DEFAULT_BODY_LIMIT } from './body-limit.js';
import { createClientErrorHandler } from './client-error.js';
import { answerEmptyParamsAsNotFound } from './empty-segments.js';
import { HttpError, toErrorReply } from './errors.js';
import { jsonBodyRefusal } from './json-refusal.js';
import { maskingChildLogger } from './logged-request.js';
import {
  type MethodNotAllowedPage,
  type NotFoundPage,
  type RefusedPage,
  wantsHtmlPage,
} from './not-found-page.js';
import { openapiTransforms } from './optional-bodies.js';
import { requestPath, routedPath } from './request-path.js';
import { executionRoutes } from './routes/executions.js';
import { localNodes, monitoringRoutes, type NodesProvider } from './routes/monitoring.js';
import { remoteWorkerRoutes } from './routes/remote-workers.js';
import { systemRoutes } from './routes/system.js';
import { workflowPerformanceRoutes } from './routes/workflow-performance.js';
import { workflowRoutes } from './routes/workflows.js';
import { errorEnvelopeSchema } from './schemas.js';
import { trustProxyIssues } from './trust-proxy.js';
import { validatorCompiler } from './validation.js';

export { DEFAULT_BODY_LIMIT };

/**
 * Longest path parameter the router matches (fastify's default, 100, is below the longest workflow
 * id, 128, and execution id, 256, even before percent-encoding); longer ones answer 414. The
 * route schemas then check the real limits.
 */
const MAX_PARAM_LENGTH = 4096;

/**
 * How long a request may take to arrive (headers and body) before its connection is ended with
 * 408; also how long closing the app waits for requests still arriving.
 */
export const REQUEST_TIMEOUT_MS = 30_000;

/** What an extra plugin (the dashboard, say) gets besides its encapsulated scope. */
export interface AppContext {
  orch: Orchestrator;
  /** Checks a presented API token in constant time (for a sign-in form). */
  verifyToken(presented: string): boolean;
  /**
   * The remote workers registered with the app's hub, as `GET /v1/workers` lists them (none when
   * the app serves none: `remoteWorkers: false`).
   */
  remoteWorkers(): RemoteWorkerSummary[];
  /**
   * Sets the HTML page a browser gets for an address no route serves (a `GET` or `HEAD` outside
   * `/v1` whose `Accept` prefers `text/html` to JSON) instead of the JSON 404
   * (`not-found-page.ts`). The page is sent from outside the plugin's scope: it sets its own
   * headers. @default none: the JSON 404
   */
  setNotFoundPage(page: NotFoundPage): void;
  /**
   * Sets the HTML page such a browser request gets for a known path it asks with a method the path
   * does not serve (`/logout`, POST only, typed into the address bar) instead of the JSON 405; the
   * `Allow` header is set before the page is called. @default none: the JSON 405
   */
  setMethodNotAllowedPage(page: MethodNotAllowedPage): void;
  /**
   * Sets the HTML page such a browser request gets when the router refuses its address before any
   * route (a malformed percent-encoding, `/executions/%E0%A4%A`: 400) instead of the JSON error.
   * @default none: the JSON error
   */
  setRefusedPage(page: RefusedPage): void;
}

/**
 * An extra plugin, registered in its own encapsulated scope after the API routes. Its routes
 * need the bearer token unless they declare `config: { auth: false }`.
 */
export type AppPlugin = (scope: FastifyInstance, context: AppContext) => Promise<void> | void;

/** Options of {@link buildApp}. */
export interface AppOptions {
  /** The API token every `/v1` route requires (`Authorization: Bearer <token>`). */
  token: string;
  /** A pino logger (create it with `redact` for `req.headers.authorization`). @default no logging */
  logger?: FastifyBaseLogger | undefined;
  /** Largest request body in bytes; larger bodies answer 413. @default 1 MiB */
  bodyLimit?: number | undefined;
  /**
   * The nodes `GET /v1/workers` lists; a provider that has not answered within a second (on the
   * orchestrator's clock) makes it a 503 `STORE_UNAVAILABLE`. @default every node of the store's
   * registry (`orch.getNodes()`: the cluster's nodes on PostgreSQL, this one alone on memory), this
   * node with its live load
   */
  nodes?: NodesProvider | undefined;
  /** Prometheus options (`/metrics`). @default prefix `orchestrator_`, no process metrics */
  prometheus?: PrometheusOptions | undefined;
  /** Extra plugins, e.g. the dashboard. @default [] */
  plugins?: AppPlugin[] | undefined;
  /** `info.version` of the OpenAPI document. @default '1.0.0' */
  apiVersion?: string | undefined;
  /**
   * The hub behind `/v1/remote-workers` (docs/remote-workers.md), or false to serve no remote
   * workers. @default the orchestrator's own hub (`remoteWorkerHubFor(orch)`)
   */
  remoteWorkers?: RemoteWorkerHub | false | undefined;
  /**
   * The reverse proxies in front of the service (IP addresses, CIDRs, or `loopback`, `linklocal`,
   * `uniquelocal`) whose `X-Forwarded-For`, `-Proto` and `-Host` headers are believed: the
   * request's address, protocol and host are then the client's (`trust-proxy.ts`). @default none:
   * those headers are ignored
   */
  trustProxy?: string[] | undefined;
}

const APP_OPTION_KEYS: readonly (keyof AppOptions)[] = [
  'token',
  'logger',
  'bodyLimit',
  'nodes',
  'prometheus',
  'plugins',
  'apiVersion',
  'remoteWorkers',
  'trustProxy',
];

/** A Prometheus metric name starts with a letter, `_` or `:`; the prefix may also be empty. */
const METRIC_PREFIX = /^(?:[A-Za-z_:][A-Za-z0-9_:]*)?$/;

function prometheusIssues(prometheus: unknown): Issue[] {
  const shape = optionsIssues(prometheus, ['prefix', 'defaultMetrics'], {
    path: 'prometheus',
    expected: "an object such as { prefix: 'orchestrator_' }",
  });
  if (shape.length > 0) {
    return shape.map((i) => (i.path === 'prometheus' ? i : { ...i, path: `prometheus.${i.path}` }));
  }
  const { prefix, defaultMetrics } = prometheus as PrometheusOptions;
  const issues: Issue[] = [];
  if (prefix !== undefined && (typeof prefix !== 'string' || !METRIC_PREFIX.test(prefix))) {
    issues.push({
      path: 'prometheus.prefix',
      message: `Expected the start of a metric name ([A-Za-z_:][A-Za-z0-9_:]*), got ${describeValue(prefix)}`,
    });
  }
  if (defaultMetrics !== undefined && typeof defaultMetrics !== 'boolean') {
    issues.push({
      path: 'prometheus.defaultMetrics',
      message: `Expected a boolean, got ${describeValue(defaultMetrics)}`,
    });
  }
  return issues;
}

/** The methods Fastify calls on a request logger (a pino logger has them all). */
const LOGGER_METHODS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'child'] as const;

/**
 * What is wrong with `logger` as the app's logger, or null: Fastify's own refusal
 * (`FST_ERR_LOG_INVALID_LOGGER_INSTANCE`) named its `loggerInstance`, and refused the
 * four-method logger `createOrchestrator` takes without saying what it lacked.
 */
function appLoggerIssue(logger: unknown): Issue | null {
  if (logger === undefined) return null;
  const expected = 'Expected `logger` to be a pino logger (pino() makes one)';
  if (logger === null || typeof logger !== 'object') {
    return { path: 'logger', message: `${expected}, got ${describeValue(logger)}` };
  }
  const missing = LOGGER_METHODS.filter((m) => typeof (logger as Record<string, unknown>)[m] !== 'function');
  if (missing.length === 0) return null;
  return { path: 'logger', message: `${expected}, got an object without ${missing.join(', ')}` };
}

/** @throws ValidationError naming every bad option. Returns the body limit. */
function checkOptions(options: AppOptions): number {
  assertReadable(options, APP_OPTION_KEYS, 'Invalid app options');
  const shape = optionsIssues(options, APP_OPTION_KEYS, { path: 'options', expected: 'an object' });
  if (shape.length > 0 && shape[0]?.path === 'options')
    throw new ValidationError(shape, 'Invalid app options');
  const issues: Issue[] = [...shape];
  const problem = tokenProblem(options.token);
  if (problem) issues.push({ path: 'token', message: `\`token\` ${problem}` });
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  if (!Number.isInteger(bodyLimit) || bodyLimit < 1) {
    issues.push({
      path: 'bodyLimit',
      message: `Expected \`bodyLimit\` to be a positive integer, got ${describeValue(bodyLimit)}`,
    });
  }
  const { nodes, plugins, apiVersion, remoteWorkers, prometheus } = options;
  if (nodes !== undefined && typeof nodes !== 'function') {
    issues.push({
      path: 'nodes',
      message: `Expected a function returning the nodes, got ${describeValue(nodes)}`,
    });
  }
  if (plugins !== undefined && !Array.isArray(plugins)) {
    issues.push({ path: 'plugins', message: `Expected an array of plugins, got ${describeValue(plugins)}` });
  }
  if (Array.isArray(plugins)) {
    plugins.forEach((plugin: unknown, i) => {
      if (typeof plugin !== 'function') {
        issues.push({
          path: `plugins[${i}]`,
          message: `Expected a plugin function (such as createDashboard()), got ${describeValue(plugin)}`,
        });
      }
    });
  }
  if (apiVersion !== undefined && (typeof apiVersion !== 'string' || apiVersion.length === 0)) {
    issues.push({
      path: 'apiVersion',
      message: `Expected a non-empty string, got ${describeValue(apiVersion)}`,
    });
  }
  if (remoteWorkers !== undefined && remoteWorkers !== false && !(remoteWorkers instanceof RemoteWorkerHub)) {
    issues.push({
      path: 'remoteWorkers',
      message: `Expected a RemoteWorkerHub or false, got ${describeValue(remoteWorkers)}`,
    });
  }
  if (prometheus !== undefined) issues.push(...prometheusIssues(prometheus));
  issues.push(...trustProxyIssues(options.trustProxy));
  const loggerIssue = appLoggerIssue(options.logger);
  if (loggerIssue) issues.push(loggerIssue);
  if (issues.length > 0) throw new ValidationError(issues, 'Invalid app options');
  return bodyLimit;
}

/** What a 5xx is logged with, its cause included: no stack unless the logger is at debug level. */
function errorSummary(error: unknown, withStack: boolean, depth = 0): Record<string, unknown> {
  const e = error as Partial<FastifyError>;
  // Why it failed is often only in the cause (a response that does not match its schema: the
  // schema's issues; a wrapped driver error): summarised the same way, a few levels deep.
  const cause = depth < 3 && e?.cause != null ? errorSummary(e.cause, withStack, depth + 1) : null;
  return {
    type: e?.name ?? typeof error,
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
    message: e?.message ?? String(error),
    ...(withStack && e?.stack ? { stack: e.stack } : {}),
    ...(cause ? { cause } : {}),
  };
}

function debugEnabled(log: FastifyBaseLogger): boolean {
  const check = (log as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled;
  return typeof check === 'function' && check.call(log, 'debug');
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The body the route answers (with 503) while the app closes, in the shape its 503 response
     * schema documents. @default the `CLOSED` error envelope
     */
    closingBody?: unknown;
  }
}

/**
 * From the moment `app.close()` starts, every new request (one on a kept-alive connection, say)
 * answers 503 `CLOSED` in the API's envelope (or the route's own `closingBody`), and every answer,
 * to a request in flight as the close began too, closes its connection: Node closes only the
 * connections idle when the close starts, and one that went idle after held the close (and
 * `serve` on SIGTERM) until its client let go or its keep-alive timeout (72 s) ran out.
 */
function refuseWhileClosing(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (req, reply) => {
    if (!closing) return;
    reply.header('connection', 'close');
    const own = req.is404 ? undefined : req.routeOptions.config?.closingBody;
    return reply.code(503).send(own ?? { error: { code: 'CLOSED', message: 'The server is shutting down' } });
  });
  app.addHook('onSend', async (_req, reply) => {
    if (closing) reply.header('connection', 'close');
  });
}

/**
 * Bounds `app.close()`: Node ends a connection whose request is still arriving after the request
 * timeout, but stops checking once the server closes, so a client that never finished sending a
 * request (headers cut short, a body short of its Content-Length) held the close, and `serve` on
 * SIGTERM, for ever. The connections still open a request timeout after closing began are ended;
 * those on which nothing was sent yet (a browser's preconnect), which Node does not count as idle,
 * are ended as the close begins.
 */
function endStalledConnectionsOnClose(app: FastifyInstance): void {
  let timer: NodeJS.Timeout | undefined;
  const sockets = new Set<Socket>();
  app.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  app.addHook('preClose', async () => {
    if (!app.server.listening) return;
    for (const socket of sockets) if (socket.bytesRead === 0) socket.destroy();
    timer = setTimeout(() => app.server.closeAllConnections(), REQUEST_TIMEOUT_MS).unref();
  });
  app.addHook('onClose', async () => {
    clearTimeout(timer);
  });
}

/** The pages plugins set (see {@link AppContext.setNotFoundPage}). */
interface Pages {
  notFound?: NotFoundPage;
  methodNotAllowed?: MethodNotAllowedPage;
  refused?: RefusedPage;
}

function installErrorHandling(app: FastifyInstance, bodyLimit: number, pages: Pages): void {
  app.setErrorHandler((error, req, reply) => {
    const { status, body } = toErrorReply(error, { bodyLimit });
    // A refusal while closing is expected (a shutdown), not a failure to report at error level.
    if (status >= 500 && body.error.code === 'CLOSED') req.log.info('request refused: closing');
    else if (status >= 500) {
      // The server's level decides, not the route's: the routes of machine traffic log at warn,
      // which must not hide a failure's stack from an operator who turned debug on.
      const withStack = debugEnabled(req.log) || debugEnabled(app.log);
      req.log.error({ error: errorSummary(error, withStack) }, 'request failed');
    }
    if (body.error.code === 'UNAUTHORIZED') reply.header('www-authenticate', 'Bearer realm="orchestrator"');
    return reply.code(status).send(body);
  });
  // A known path asked with another method answers 405 with `Allow`, and OPTIONS 204 with it
  // (RFC 9110 §9.3.7); only an unknown path 404. (A /v1 path asked without a token answered 401
  // before this.)
  const allowed = new AllowedMethods();
  app.addHook('onRoute', (route) => allowed.add(route.url, route.method));
  app.setNotFoundHandler((req, reply) => {
    // The path as sent (an absolute-form target's without its origin), without the query; the
    // methods are those of the path as the router reads it (`/v1/%77orkflows` is `/v1/workflows`).
    const path = requestPath(req.url);
    const routed = routedPath(req.url);
    const methods = allowed.for(routed);
    // The path is the client's, of any length: repeated as other messages repeat a value.
    const shown = echo(path, null);
    if (methods.length > 0) {
      const allow = [...new Set([...methods, 'OPTIONS'])].sort().join(', ');
      if (req.method === 'OPTIONS') return reply.code(204).header('allow', allow).send();
      reply.header('allow', allow);
      if (pages.methodNotAllowed && wantsHtmlPage(req, routed))
        return pages.methodNotAllowed(req, reply, path, allow);
      return reply.code(405).send({
        error: {
          code: 'METHOD_NOT_ALLOWED',
          message: `Method ${req.method} is not allowed on ${shown}; allowed: ${allow}`,
        },
      });
    }
    const bare = pathWithoutSlash(routed, allowed);
    if (pages.notFound && wantsHtmlPage(req, routed)) {
      // The page a browser is sent to: one the path without the slash serves to its GET.
      const pageAt = bare !== null && allowed.for(bare).includes(req.method) ? bare : undefined;
      return pages.notFound(req, reply, path, pageAt);
    }
    // Routes are not matched with a trailing slash: a path is one resource, not two.
    const hint = bare === null ? '' : ` (a route is at ${echo(bare, null)}, without the trailing slash)`;
    return reply.code(404).send({
      error: { code: 'NOT_FOUND', message: `Route ${req.method} ${shown} not found${hint}` },
    });
  });
}

/**
 * For a path no route has only because of its trailing slashes (`POST /v1/workflows/`), the path
 * without them, which a route has (`/v1/workflows`); otherwise null.
 */
function pathWithoutSlash(routed: string, allowed: AllowedMethods): string | null {
  const bare = routed.replace(/\/+$/, '');
  if (bare === routed || bare === '' || allowed.for(bare).length === 0) return null;
  return bare;
}

/** The headers of every answer: no MIME sniffing, no caching unless the route chose otherwise. */
function baseHeaders(reply: FastifyReply): FastifyReply {
  reply.header('x-content-type-options', 'nosniff');
  if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  return reply;
}

/** Decodes UTF-8 strictly (a byte-order mark is dropped): bytes that are not UTF-8 throw. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The Content-Encoding a body was sent with, if not read as is (`identity`, or none): the body is
 * never decompressed, so a gzipped one would read as bytes that are not UTF-8.
 */
function contentCoding(header: string | string[] | undefined): string | null {
  const coding = (Array.isArray(header) ? header.join(', ') : (header ?? '')).trim();
  return coding === '' || coding.toLowerCase() === 'identity' ? null : coding;
}

function installJsonParser(app: FastifyInstance): void {
  // JSON only: any other media type answers 415. An empty body counts as no body.
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const coding = contentCoding(req.headers['content-encoding']);
    if (coding !== null) {
      const message = `Request body must not be compressed (got Content-Encoding: ${echo(coding, null)}): send the JSON as is`;
      done(new HttpError('UNSUPPORTED_MEDIA_TYPE', message), undefined);
      return;
    }
    let text: string;
    try {
      // JSON is UTF-8 (RFC 8259): other bytes would become U+FFFD, and the input stored would
      // silently differ from the one sent.
      text = UTF8.decode(body as Buffer);
    } catch {
      done(new HttpError('VALIDATION', 'Request body is not valid UTF-8 (JSON is sent as UTF-8)'), undefined);
      return;
    }
    if (text === '') {
      done(null, undefined);
      return;
    }
    parse(req, text, (error, value) => {
      if (error) {
        // The parser reads past one byte-order mark (after the one decoding dropped): the refusal
        // names what it refused, not that mark (a body of two marks and a typo was refused for
        // its second mark).
        const read = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
        done(new HttpError('VALIDATION', jsonBodyRefusal(read)), undefined);
        return;
      }
      // JSON.parse keeps the last value of a key given twice and drops the others silently.
      const duplicate = findDuplicateKey(text, 'body');
      // JSON.parse rounds an integer past 2^53 silently: the value stored would not be the one sent.
      const unsafe = duplicate ? null : findUnsafeInteger(text, 'body');
      if (duplicate) {
        const message = `Invalid request: ${echo(duplicate.path, null)}: has the key ${echo(duplicate.key)} twice (give each key once)`;
        done(new HttpError('VALIDATION', message), undefined);
      } else if (unsafe) {
        const message = `Invalid request: ${echo(unsafe.path, null)}: ${unsafeIntegerText(unsafe)}`;
        done(new HttpError('VALIDATION', message), undefined);
      } else done(error, value);
    });
  });
  // Any other media type, or none: an empty body is no body (`curl -d ''` sends a form type with
  // Content-Length: 0); one that is there answers 415, refused before it is read.
  app.addContentTypeParser('*', (req, _payload, done) => {
    if (req.headers['content-length'] === '0' && req.headers['transfer-encoding'] === undefined) {
      done(null, undefined);
      return;
    }
    done(
      new HttpError('UNSUPPORTED_MEDIA_TYPE', 'Request body must be JSON (Content-Type: application/json)'),
      undefined,
    );
  });
}

/** Methods whose requests fastify reads a body of (and so may refuse with 400, 413 or 415). */
const BODY_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Documents the statuses every route that reads a body can answer whatever its own schema says:
 * 400 (malformed JSON), 413 (over the body limit), 415 (not JSON). Registered before the routes
 * and the OpenAPI generator, so every route's document lists them.
 */
function documentBodyErrors(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const response = route.schema?.response as Record<number, unknown> | undefined;
    if (!response || !methods.some((m) => BODY_METHODS.has(m))) return;
    for (const status of [400, 413, 415]) response[status] ??= errorEnvelopeSchema;
  });
}

/**
 * Gives every API route of `scope` (the `/v1` one) that declares no query an empty strict one, so
 * a query parameter it would ignore answers 400 naming it (`query.limit: unknown key 'limit'`), as
 * a key unknown to a route's query or body does: `GET /v1/workflows?limit=1` listed every
 * workflow, a poll's `?waitSeconds=0` waited the default wait. Registered in that scope before its
 * routes: the public probes (`/healthz`, `/metrics`) keep ignoring what a load balancer or scraper
 * adds, and an extra plugin's routes are its own.
 */
function refuseUndeclaredQueries(scope: FastifyInstance): void {
  const none = z.strictObject({});
  scope.addHook('onRoute', (route) => {
    if (route.schema === undefined) route.schema = { querystring: none };
    else route.schema.querystring ??= none;
  });
}

/**
 * Builds the HTTP app around an orchestrator. The caller owns the orchestrator: closing the
 * app detaches its listeners but leaves the orchestrator open.
 * @throws ValidationError naming every bad option: a missing token, a bad body limit, an unknown
 *   key, `plugins` that are no functions, a `remoteWorkers` that is no hub, bad Prometheus options,
 *   a `trustProxy` entry that is no address (`trustProxy[0]`).
 * @example
 * ```ts
 * const app = await buildApp(orch, { token: process.env.ORCHESTRATOR_API_TOKEN! });
 * await app.listen({ port: 8080, host: '127.0.0.1' });
 * ```
 */
export async function buildApp(orch: Orchestrator, options: AppOptions): Promise<FastifyInstance> {
  const bodyLimit = checkOptions(options);
  const pages: Pages = {};
  const app = Fastify({
    bodyLimit,
    requestTimeout: REQUEST_TIMEOUT_MS,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Malformed or over-long URLs are rejected by the router before any hook (the `onSend` that
    // adds the base headers included): same envelope, same headers.
    frameworkErrors: (error, req, reply) => {
      const { status, body } = toErrorReply(error, { bodyLimit });
      if (pages.refused && wantsHtmlPage(req, requestPath(req.url))) {
        pages.refused(req, baseHeaders(reply), status, body.error.message);
      } else baseHeaders(reply).code(status).send(body);
    },
    // Requests Node refuses before routing (not HTTP, headers too large, too slow): same envelope.
    clientErrorHandler: createClientErrorHandler(REQUEST_TIMEOUT_MS),
    // Requests that arrive while the app closes get the API's own envelope (below), not Fastify's.
    return503OnClosing: false,
    ...(options.trustProxy ? { trustProxy: [...options.trustProxy] } : {}),
    // A request is logged with its secret-looking query values masked, whatever the logger.
    ...(options.logger
      ? { loggerInstance: options.logger, childLoggerFactory: maskingChildLogger }
      : { logger: false }),
  });
  refuseWhileClosing(app);
  endStalledConnectionsOnClose(app);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installJsonParser(app);
  installErrorHandling(app, bodyLimit, pages);
  const verifyToken = createTokenVerifier(options.token);
  registerAuth(app, verifyToken);
  answerEmptyParamsAsNotFound(app);
  documentBodyErrors(app);
  app.addHook('onSend', async (_req, reply) => {
    baseHeaders(reply);
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Orchestrator API',
        description:
          'Durable workflow orchestrator: define workflows, run and follow executions. Errors are ' +
          '`{ error: { code, message } }`; a method a path does not serve answers 405 ' +
          '`METHOD_NOT_ALLOWED` with an `Allow` header, `OPTIONS` 204 with it, an unknown path 404 `NOT_FOUND`.',
        version: options.apiVersion ?? '1.0.0',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearerAuth: [] }],
    },
    ...openapiTransforms(),
  });

  // Executions resumed as the orchestrator started are running already: counted as started, and
  // the alerts raised before now are counted too.
  const exporter = new PrometheusExporter(orch, options.prometheus, {
    running: startedWorkflowIds(orch),
    raisedAlerts: raisedAlertCounts(orch),
    clock: orch.config.clock,
  });
  app.addHook('onClose', async () => exporter.close());
  try {
    const setNotFoundPage = (page: NotFoundPage) => {
      pages.notFound = page;
    };
    const setMethodNotAllowedPage = (page: MethodNotAllowedPage) => {
      pages.methodNotAllowed = page;
    };
    const setRefusedPage = (page: RefusedPage) => {
      pages.refused = page;
    };
    const hub = options.remoteWorkers ?? remoteWorkerHubFor(orch);
    await registerRoutes(app, options, exporter, hub, {
      orch,
      verifyToken,
      remoteWorkers: () => (hub ? hub.workerSummaries() : []),
      setNotFoundPage,
      setMethodNotAllowedPage,
      setRefusedPage,
    });
  } catch (error) {
    // The app is not returned, so nobody could close it: closed here, its close hooks take the
    // exporter's and the plugins' listeners off the orchestrator, which would otherwise keep them
    // (and through them this app), one set more per failed call.
    await app.close().catch(() => undefined);
    throw error;
  }
  return app;
}

/** The routes and the plugins of {@link buildApp}. */
async function registerRoutes(
  app: FastifyInstance,
  options: AppOptions,
  exporter: PrometheusExporter,
  hub: RemoteWorkerHub | false,
  context: AppContext,
): Promise<void> {
  const { orch, remoteWorkers } = context;
  const nodes = options.nodes ?? localNodes;
  await app.register(
    async (v1) => {
      refuseUndeclaredQueries(v1);
      await workflowRoutes(v1, { orch });
      await workflowPerformanceRoutes(v1, { orch });
      await executionRoutes(v1, { orch });
      await monitoringRoutes(v1, { orch, nodes, remoteWorkers });
      if (hub) await remoteWorkerRoutes(v1, { orch, hub });
    },
    { prefix: '/v1' },
  );
  await systemRoutes(app, { orch, exporter });

  for (const plugin of options.plugins ?? []) {
    await app.register(async (scope) => plugin(scope, context));
  }
}

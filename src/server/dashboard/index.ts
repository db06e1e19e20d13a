/**
 * The web dashboard (SPEC §7) as an extra plugin of the HTTP app: `buildApp(orch, { token,
 * plugins: [createDashboard()] })` serves it at `/`. Pages are server-rendered HTML (every
 * value escaped by the `html` template), refreshed by htmx polling of fragments under `/ui/`,
 * with uPlot charts fed from `/ui/series.json`; htmx, uPlot and the dashboard's own script and
 * stylesheet are same-origin files, so the Content-Security-Policy allows no inline code.
 *
 * Security: signing in exchanges the API token (checked in constant time) for a signed session
 * cookie (HttpOnly, SameSite=Strict, Secure over https); every POST must come from this origin
 * (Origin / Sec-Fetch-Site) and, once signed in, carry the session's CSRF token (`x-csrf-token`
 * header, which htmx sends, or the `_csrf` form field). Data comes only from the public engine
 * API of the orchestrator.
 * @module
 */

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { echo } from '../../echo.js';
import { ExecutionNotFoundError, OrchestratorError } from '../../errors.js';
import type { AppContext, AppPlugin } from '../app.js';
import { toErrorReply } from '../errors.js';
import { wantsHtmlPage } from '../not-found-page.js';
import { normalizeOrigin } from '../origins.js';
import { requestQuery } from '../request-path.js';
import { localNodes, type NodesProvider } from '../routes/monitoring.js';
import { figuresWithin, refreshWithin, workflowWithin } from '../store-wait.js';
import { workflowNotFound } from '../workflow-not-found.js';
import { seriesWithSummaries } from './chart-summary.js';
import { checkDashboardOptions } from './check-options.js';
import type { DashboardDeps } from './context.js';
import { installGuards, route, securityHeaders, sendHtml } from './guard.js';
import type { SafeHtml } from './html.js';
import { barePage, errorBody, page, type Section } from './layout.js';
import { cancelConfirmBody } from './pages/cancel-confirm.js';
import { cancelNotice, executionDetail } from './pages/execution.js';
import { executionsBody, executionsPanel, listQueryString, parseListQuery } from './pages/executions.js';
import { loginPage, safeNext } from './pages/login.js';
import { overviewBody, overviewLive } from './pages/overview.js';
import { workersBody, workersPanel } from './pages/workers.js';
import { parseSourceQuery, parseVersionQuery, workflowBody, workflowsBody } from './pages/workflows.js';
import { RecentSeries } from './series.js';
import { LoginLimiter, readCookie, SESSION_COOKIE, SessionManager, serializeCookie } from './session.js';
import { registerAssets } from './static-files.js';

export { CONTENT_SECURITY_POLICY, sameOrigin } from './guard.js';

/** Options of {@link createDashboard}. */
export interface DashboardOptions {
  /** Key that signs session cookies. @default random per process (sessions end with it) */
  secret?: string | Buffer | undefined;
  /** How long a sign-in lasts, seconds (at most 1e9). @default 43200 (12 hours) */
  sessionTtlSeconds?: number | undefined;
  /** The nodes the workers page lists. @default the nodes registered in the store */
  nodes?: NodesProvider | undefined;
  /** Executions per page of the list. @default 25 */
  pageSize?: number | undefined;
  /** Width of one chart bucket, seconds. @default 5 */
  bucketSeconds?: number | undefined;
  /** Time the charts cover, minutes: at most 10000 buckets. @default 10 */
  windowMinutes?: number | undefined;
  /** How long an alert stays on the overview, minutes (0: not shown). @default 15 */
  alertWindowMinutes?: number | undefined;
  /**
   * Origins besides the request's own host that may POST (e.g. behind a proxy that rewrites
   * Host), each `scheme://host[:port]`; compared as a browser sends them (`HTTPS://Ops.Example.com:443/`
   * is `https://ops.example.com`). @default []
   */
  allowedOrigins?: string[] | undefined;
  /**
   * Mark the session cookie `Secure`. @default true when the request came over https (behind a
   * TLS-terminating proxy, set this or `buildApp`'s `trustProxy`)
   */
  secureCookie?: boolean | undefined;
  /** Failed sign-ins per client address and minute before 429. @default 10 */
  maxLoginFailures?: number | undefined;
  /** Wall clock (tests). @default Date.now */
  now?: (() => number) | undefined;
}

/**
 * Creates the dashboard plugin.
 * @throws ValidationError naming a bad option: an unknown key, a duration out of range (naming its bound),
 *   a page size or sign-in limit that is no positive integer, `allowedOrigins` that is no array of origins (`allowedOrigins[1]` naming the entry that is no `scheme://host[:port]`), ...
 */
export function createDashboard(options: DashboardOptions = {}): AppPlugin {
  checkDashboardOptions(options);
  return (scope, context) => registerDashboard(scope, context, options);
}

async function registerDashboard(
  scope: FastifyInstance,
  { orch, verifyToken, remoteWorkers, setNotFoundPage, setMethodNotAllowedPage, setRefusedPage }: AppContext,
  options: DashboardOptions,
): Promise<void> {
  const now = options.now ?? Date.now;
  const ttlMs = (options.sessionTtlSeconds ?? 12 * 60 * 60) * 1000;
  const sessions = new SessionManager({ ttlMs, now, ...(options.secret ? { secret: options.secret } : {}) });
  const limiter = new LoginLimiter({ max: options.maxLoginFailures ?? 10, now });
  const bucketMs = (options.bucketSeconds ?? 5) * 1000;
  const series = new RecentSeries({
    bucketMs,
    buckets: Math.max(2, Math.round(((options.windowMinutes ?? 10) * 60_000) / bucketMs)),
  });
  const deps: DashboardDeps = {
    orch,
    nodes: options.nodes ?? localNodes,
    remoteWorkers,
    series,
    now,
    pageSize: options.pageSize ?? 25,
    alertWindowMs: (options.alertWindowMinutes ?? 15) * 60_000,
  };
  // As a browser writes them in `Origin` (lower case, no default port, no trailing slash).
  const allowedOrigins = (options.allowedOrigins ?? []).map(normalizeOrigin);
  const sessionOf = installGuards(scope, { sessions, allowedOrigins });

  // One that ended while queued counts by status, with no duration (it never ran).
  const onFinished = (e: { status: string; durationMs: number; ran: boolean }) =>
    series.record(now(), e.status, e.ran ? e.durationMs : null);
  orch.on('execution.finished', onFinished);
  scope.addHook('onClose', async () => {
    orch.off('execution.finished', onFinished);
  });

  // A field sent twice is kept as a list of its values (each form's code expects a string and
  // refuses one): `token=a&token=b` signed in with the last, where the API refuses a repeated key.
  scope.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_req, body, done) => {
      const fields = new Map<string, string | string[]>();
      for (const [key, value] of new URLSearchParams(body as string)) {
        const earlier = fields.get(key);
        fields.set(
          key,
          earlier === undefined ? value : [...(Array.isArray(earlier) ? earlier : [earlier]), value],
        );
      }
      done(null, Object.fromEntries(fields));
    },
  );

  const secure = (req: FastifyRequest) => options.secureCookie ?? req.protocol === 'https';
  const isFragment = (req: FastifyRequest) => req.headers['hx-request'] === 'true';
  const full = (
    req: FastifyRequest,
    title: string,
    section: Section | undefined,
    body: SafeHtml,
    charts = false,
  ) =>
    page({
      title,
      ...(section ? { section } : {}),
      csrf: sessionOf.get(req)?.csrf ?? '',
      charts,
      body,
    });

  scope.setErrorHandler((error: FastifyError, req, reply) => {
    const { status, body } = toErrorReply(error, { bodyLimit: scope.initialConfig.bodyLimit ?? 1024 * 1024 });
    if (status >= 500)
      req.log.error({ error: { type: error?.name, message: error?.message } }, 'dashboard request failed');
    if (req.routeOptions.config?.dashboard === 'data') return reply.code(status).send(body);
    const content = errorBody(status, body.error.message);
    if (isFragment(req)) return sendHtml(reply, content, status);
    return sendHtml(
      reply,
      sessionOf.has(req) ? full(req, 'Error', undefined, content) : barePage('Error', content),
      status,
    );
  });

  // A mistyped address in a browser: a page of the dashboard (with its navigation once signed
  // in), not the API's JSON 404. The path is repeated as the JSON 404 repeats it.
  // The pages are sent from outside this scope: they set the security headers themselves.
  const outsidePage = (
    req: FastifyRequest,
    reply: FastifyReply,
    title: string,
    content: SafeHtml,
    status: number,
  ) => {
    const session = sessions.verify(readCookie(req.headers.cookie, SESSION_COOKIE));
    const body = session ? page({ title, csrf: session.csrf, body: content }) : barePage(title, content);
    return sendHtml(securityHeaders(reply), body, status);
  };
  // `/workflows/`: the page without the slash, as a link (with the query).
  const notFoundPage = (req: FastifyRequest, reply: FastifyReply, path: string, pageAt?: string) =>
    outsidePage(
      req,
      reply,
      'Not found',
      errorBody(404, `No page at ${echo(path, null)}.`, pageAt, requestQuery(req.url)),
      404,
    );
  setNotFoundPage(notFoundPage);
  // `/logout` typed into the address bar, say: a page naming what the path does answer.
  setMethodNotAllowedPage((req, reply, path, allow) => {
    const message = `${echo(path, null)} does not answer ${req.method}; it answers ${allow}.`;
    return outsidePage(req, reply, 'Method not allowed', errorBody(405, message), 405);
  });
  // `/assets/nope.js` opened in a browser: the 404 page too.
  await registerAssets(scope, (req, reply, path) =>
    wantsHtmlPage(req, path) ? notFoundPage(req, reply, path) : undefined,
  );
  // `/executions/%E0%A4%A`, say: the router's refusal as a page, not the JSON shown raw.
  setRefusedPage((req, reply, status, message) =>
    outsidePage(
      req,
      reply,
      status === 400 ? 'Bad request' : 'Error',
      errorBody(status, `${message}.`),
      status,
    ),
  );

  // Sign-in and sign-out.
  scope.get<{ Querystring: { next?: string } }>('/login', route('login'), async (req, reply) => {
    const next = safeNext(req.query.next);
    if (sessions.verify(readCookie(req.headers.cookie, SESSION_COOKIE))) return reply.redirect(next, 303);
    return sendHtml(reply, loginPage({ next }));
  });

  scope.post('/login', route('login'), async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const next = safeNext(body.next);
    const client = req.ip;
    if (!limiter.allowed(client)) {
      reply.header('retry-after', '60');
      return sendHtml(
        reply,
        loginPage({ next, error: 'Too many failed sign-ins. Wait a minute and try again.' }),
        429,
      );
    }
    const token = body.token;
    // Several tokens in one sign-in would be several guesses for one counted failure: refused
    // unread, as the form never sends two.
    if (Array.isArray(token)) {
      return sendHtml(
        reply,
        loginPage({ next, error: 'The sign-in sent the token more than once: send it once.' }),
        400,
      );
    }
    if (typeof token !== 'string' || token.length === 0 || token.length > 4096 || !verifyToken(token)) {
      limiter.fail(client);
      req.log.warn({ client }, 'dashboard sign-in failed');
      return sendHtml(reply, loginPage({ next, error: 'Wrong token.', tokenRefused: true }), 401);
    }
    limiter.reset(client);
    const { value } = sessions.create();
    reply.header(
      'set-cookie',
      serializeCookie(SESSION_COOKIE, value, { secure: secure(req), maxAge: ttlMs / 1000 }),
    );
    return reply.redirect(next, 303);
  });

  // Signing out of a session that has already ended (expired, or a restart with a new key) only
  // clears its cookie: the page it is clicked on may poll nothing, so it never noticed.
  scope.post('/logout', route('logout'), async (req, reply) => {
    const session = sessionOf.get(req);
    if (session) sessions.revoke(session);
    reply.header('set-cookie', serializeCookie(SESSION_COOKIE, '', { secure: secure(req), maxAge: 0 }));
    return reply.redirect('/login', 303);
  });

  // Overview.
  scope.get('/', route('page'), async (req, reply) =>
    sendHtml(reply, full(req, 'Overview', 'overview', await overviewBody(deps), true)),
  );
  scope.get('/ui/overview', route('fragment', 'warn'), async (_req, reply) =>
    sendHtml(reply, await overviewLive(deps)),
  );
  scope.get('/ui/series.json', route('data', 'warn'), async () =>
    seriesWithSummaries(series.snapshot(now())),
  );

  // Workflows.
  scope.get('/workflows', route('page'), async (req, reply) => {
    await refreshWithin(orch);
    return sendHtml(reply, full(req, 'Workflows', 'workflows', workflowsBody(deps)));
  });
  scope.get<{ Params: { id: string }; Querystring: { version?: unknown; source?: unknown } }>(
    '/workflows/:id',
    route('page'),
    async (req, reply) => {
      const { id } = req.params;
      const wanted = parseVersionQuery(req.query.version);
      const source = parseSourceQuery(req.query.source);
      // Reads the workflow from the store if another node sharing it defined it (or that version);
      // a store that does not answer within a second leaves the versions known here.
      await workflowWithin(orch, id, wanted);
      const versions = orch.workflowEngine.listWorkflowVersions(id);
      const def = wanted === undefined ? versions.at(-1) : versions.find((v) => v.version === wanted);
      if (!def && wanted !== undefined && versions.length > 0) {
        throw new OrchestratorError('WORKFLOW_NOT_FOUND', `Workflow '${id}' has no version ${wanted}`);
      }
      if (!def) throw workflowNotFound(orch, id);
      const perf = await figuresWithin(orch, id, source);
      return sendHtml(
        reply,
        full(req, `Workflow ${id}`, 'workflows', workflowBody(deps, def, versions, perf, source)),
      );
    },
  );

  // Executions.
  scope.get('/executions', route('page'), async (req, reply) => {
    const q = parseListQuery(req.query as Record<string, unknown>);
    return sendHtml(reply, full(req, 'Executions', 'executions', await executionsBody(deps, q)));
  });
  scope.get('/ui/executions', route('fragment', 'warn'), async (req, reply) => {
    const query = req.query as Record<string, unknown>;
    const q = parseListQuery(query);
    // Filters and pager links (not the polling itself) put their query in the address bar.
    if (req.headers['hx-trigger'] !== 'exec-panel') {
      reply.header('hx-push-url', `/executions${listQueryString(q)}`);
    }
    return sendHtml(reply, await executionsPanel(deps, q));
  });

  const loadExecution = async (id: string) => {
    const status = await orch.workflowEngine.getExecutionStatus(id);
    if (!status) throw new ExecutionNotFoundError(id);
    return status;
  };
  // `?cancel=done|refused`: where a cancel without JavaScript returns, saying what it did.
  scope.get<{ Params: { id: string }; Querystring: { cancel?: unknown } }>(
    '/executions/:id',
    route('page'),
    async (req, reply) => {
      const x = await loadExecution(req.params.id);
      const { cancel } = req.query;
      // Where a cancel without JavaScript lands. Anyone can write the query: "Cancelled." is shown
      // only for an execution that is (a link made by hand showed it beside a running one).
      const done = cancel === 'done' && x.status === 'cancelled';
      const notice = done || cancel === 'refused' ? cancelNotice(done, x) : undefined;
      const body = executionDetail(deps, x, sessionOf.get(req)?.csrf ?? '', notice, false);
      return sendHtml(reply, full(req, `Execution ${x.id}`, 'executions', body));
    },
  );
  scope.get<{ Params: { id: string } }>(
    '/ui/executions/:id',
    route('fragment', 'warn'),
    async (req, reply) => {
      const x = await loadExecution(req.params.id);
      return sendHtml(reply, executionDetail(deps, x, sessionOf.get(req)?.csrf ?? ''));
    },
  );
  // Where the cancel button leads without JavaScript: a page whose form POSTs the cancel.
  scope.get<{ Params: { id: string } }>('/executions/:id/cancel', route('page'), async (req, reply) => {
    const x = await loadExecution(req.params.id);
    const body = cancelConfirmBody(x, sessionOf.get(req)?.csrf ?? '');
    return sendHtml(reply, full(req, `Cancel execution ${x.id}`, 'executions', body));
  });
  scope.post<{ Params: { id: string } }>('/executions/:id/cancel', route('page'), async (req, reply) => {
    const { id } = req.params;
    await loadExecution(id);
    const cancelled = await orch.workflowEngine.cancelWorkflow(id);
    req.log.info({ executionId: id, cancelled }, 'dashboard cancel');
    if (!isFragment(req)) {
      return reply.redirect(
        `/executions/${encodeURIComponent(id)}?cancel=${cancelled ? 'done' : 'refused'}`,
        303,
      );
    }
    const after = await loadExecution(id);
    return sendHtml(
      reply,
      executionDetail(deps, after, sessionOf.get(req)?.csrf ?? '', cancelNotice(cancelled, after)),
    );
  });

  // Workers.
  scope.get('/workers', route('page'), async (req, reply) =>
    sendHtml(reply, full(req, 'Workers', 'workers', await workersBody(deps))),
  );
  scope.get('/ui/workers', route('fragment', 'warn'), async (_req, reply) =>
    sendHtml(reply, await workersPanel(deps)),
  );
}

/**
 * What every dashboard request goes through: the session check (pages redirect to sign-in,
 * fragments answer 401 with `HX-Redirect`, chart data a JSON 401), the same-origin and CSRF
 * checks of state-changing requests, and the security headers (Content-Security-Policy
 * without `unsafe-inline` or `unsafe-eval`, no framing, same-origin referrers).
 * @module
 */
import type { FastifyContextConfig, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SafeHtml } from './html.js';
import { barePage, errorBody } from './layout.js';
import { safeNext } from './pages/login.js';
import { readCookie, SESSION_COOKIE, type Session, type SessionManager } from './session.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * How a dashboard route authenticates: `public` (assets), `login` (the sign-in form),
     * `page` (HTML; redirects to sign-in), `fragment` (htmx partial; 401 + `HX-Redirect`),
     * `data` (JSON; 401), `logout` (sign-out: a live session needs its CSRF token, one that has
     * ended needs none — there is nothing left to end but the cookie).
     */
    dashboard?: 'public' | 'login' | 'page' | 'fragment' | 'data' | 'logout';
  }
}

/** The Content-Security-Policy of every dashboard response. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** Methods that change nothing (no origin or CSRF check). */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Content type of every page and fragment. */
export const HTML_TYPE = 'text/html; charset=utf-8';

/** The security headers of every dashboard response (its 404 page's too, sent from outside its scope). */
export function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'same-origin')
    .header('cross-origin-opener-policy', 'same-origin');
}

/** Sends an HTML document or fragment. */
export function sendHtml(reply: FastifyReply, content: SafeHtml, status = 200): FastifyReply {
  return reply.code(status).type(HTML_TYPE).send(content.value);
}

/** The sign-in address that returns to `next` afterwards. */
export function loginUrl(next: string): string {
  return next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`;
}

/**
 * The page an htmx request came from (its `HX-Current-URL`), as a local path to return to
 * after signing in; `/` when absent or not a local path.
 */
export function currentPage(req: FastifyRequest): string {
  const header = req.headers['hx-current-url'];
  if (typeof header !== 'string') return '/';
  try {
    const url = new URL(header);
    return safeNext(url.pathname + url.search);
  } catch {
    return '/';
  }
}

/** Whether a state-changing request comes from this origin (or from a non-browser client). */
export function sameOrigin(req: FastifyRequest, allowed: readonly string[] = []): boolean {
  const origin = req.headers.origin;
  if (typeof origin === 'string') {
    if (allowed.includes(origin)) return true;
    try {
      const from = new URL(origin);
      if (allowed.includes(from.origin)) return true;
      const self = new URL(`${req.protocol}://${req.host}`);
      return (from.protocol === 'http:' || from.protocol === 'https:') && from.host === self.host;
    } catch {
      return false; // 'null' (sandboxed frames, file:) and anything unparsable
    }
  }
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string') return site === 'same-origin' || site === 'none';
  // No browser origin headers at all: a script or curl, which CSRF cannot involve. The CSRF
  // token is still required below.
  return true;
}

/** How a dashboard route authenticates. */
export type RouteKind = NonNullable<FastifyContextConfig['dashboard']>;

/**
 * Options of a dashboard route: no bearer token (the session hook decides), hidden from the
 * OpenAPI document (which describes the JSON API only).
 */
export function route(kind: RouteKind, logLevel?: 'warn') {
  return {
    config: { auth: false, dashboard: kind },
    schema: { hide: true },
    ...(logLevel ? { logLevel } : {}),
  };
}

/**
 * Whether a state-changing request carries the CSRF token of `session`: in the `x-csrf-token`
 * header (htmx sends the one its page got when it loaded) or in the `_csrf` form field (rendered
 * with the form). Either being the session's token is enough, as a cross-site page can learn
 * neither; the other may be stale — a page opened in an earlier session whose fragments were
 * rendered since in this one, or the reverse — and is no reason to refuse. Both are compared in
 * full, so the time taken does not tell which matched.
 */
function csrfPresented(req: FastifyRequest, session: Session, sessions: SessionManager): boolean {
  const header = req.headers['x-csrf-token'];
  const field = (req.body as Record<string, unknown> | undefined)?._csrf;
  const byHeader = sessions.checkCsrf(session, header);
  const byField = sessions.checkCsrf(session, field);
  return byHeader || byField;
}

/** Dependencies of {@link installGuards}. */
export interface GuardOptions {
  sessions: SessionManager;
  /** Origins besides the request's own that may POST. */
  allowedOrigins: readonly string[];
}

/**
 * Adds the session, origin/CSRF and header hooks to the dashboard's scope. Returns where the
 * verified session of each request is kept.
 */
export function installGuards(
  scope: FastifyInstance,
  options: GuardOptions,
): WeakMap<FastifyRequest, Session> {
  const { sessions, allowedOrigins } = options;
  const sessionOf = new WeakMap<FastifyRequest, Session>();
  scope.addHook('onRequest', async (req, reply) => {
    const kind = req.routeOptions.config?.dashboard ?? 'page';
    if (kind === 'public' || kind === 'login') return;
    const session = sessions.verify(readCookie(req.headers.cookie, SESSION_COOKIE));
    if (session) {
      sessionOf.set(req, session);
      return;
    }
    if (kind === 'logout') return;
    if (kind === 'page' && SAFE_METHODS.has(req.method)) return reply.redirect(loginUrl(req.url), 303);
    if (kind === 'data') {
      return reply
        .code(401)
        .send({ error: { code: 'UNAUTHORIZED', message: 'Sign in to the dashboard first' } });
    }
    // Open pages refresh themselves, so this is where an ended session is usually noticed.
    reply.header('hx-redirect', loginUrl(currentPage(req)));
    return sendHtml(reply, barePage('Sign in', errorBody(401, 'Sign in to the dashboard first.')), 401);
  });

  scope.addHook('preHandler', async (req, reply) => {
    if (SAFE_METHODS.has(req.method)) return;
    if (!sameOrigin(req, allowedOrigins)) {
      return sendHtml(reply, barePage('Forbidden', errorBody(403, 'Cross-origin request refused.')), 403);
    }
    const kind = req.routeOptions.config?.dashboard;
    const session = sessionOf.get(req);
    if (kind === 'login' || (kind === 'logout' && !session)) return;
    if (!session || !csrfPresented(req, session, sessions)) {
      return sendHtml(reply, barePage('Forbidden', errorBody(403, 'Missing or invalid CSRF token.')), 403);
    }
  });

  scope.addHook('onSend', async (_req, reply) => {
    securityHeaders(reply);
  });

  return sessionOf;
}

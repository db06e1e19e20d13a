/**
 * The pages a browser gets for an address no route serves (404), one served with other methods
 * (405: `/logout`, POST only, typed into the address bar), or one the router cannot read (400). The API answers those with its JSON
 * error, which a browser shows raw; a plugin that serves pages (the dashboard) can set HTML ones
 * instead, given to requests that can only come from a browser's address bar or a link: a `GET`
 * or `HEAD` outside `/v1` whose `Accept` prefers `text/html` to JSON (`accept.ts`; `fetch`, curl
 * and API clients send `*\/*` or `application/json`, and keep the JSON).
 * @module
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { prefersHtml } from './accept.js';

/**
 * Renders the 404 page of `path` (the request's path, as the client sent it) on `reply`. `pageAt`:
 * for a path unknown only because of its trailing slashes (`/workflows/`), the path without them,
 * which serves the request's method (`/workflows`); otherwise undefined.
 */
export type NotFoundPage = (
  req: FastifyRequest,
  reply: FastifyReply,
  path: string,
  pageAt: string | undefined,
) => FastifyReply;

/**
 * Renders the 405 page of `path` on `reply`, whose `Allow` header is set already to `allow` (the
 * methods the path answers, comma-separated, as the header lists them).
 */
export type MethodNotAllowedPage = (
  req: FastifyRequest,
  reply: FastifyReply,
  path: string,
  allow: string,
) => FastifyReply;

/**
 * Renders the page of a request the router refuses before any route (a malformed percent-encoding
 * in the path: 400), with the status and the message the JSON error would give.
 */
export type RefusedPage = (
  req: FastifyRequest,
  reply: FastifyReply,
  status: number,
  message: string,
) => FastifyReply;

/** Whether `path` asked by `req` gets the HTML page rather than the JSON 404 or 405. */
export function wantsHtmlPage(req: FastifyRequest, path: string): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (path === '/v1' || path.startsWith('/v1/')) return false;
  return prefersHtml(req.headers.accept);
}

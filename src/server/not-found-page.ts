/**
 * The page a browser gets for an address no route serves. The API answers an unknown path with
 * its JSON 404, which a browser shows raw; a plugin that serves pages (the dashboard) can set an
 * HTML one instead, given to requests that can only come from a browser's address bar or a link:
 * a `GET` or `HEAD` outside `/v1` whose `Accept` names `text/html` (`fetch`, curl and API clients
 * send `*\/*` or `application/json`, and keep the JSON).
 * @module
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Renders the 404 page of `path` (the request's path, as the client sent it) on `reply`. */
export type NotFoundPage = (req: FastifyRequest, reply: FastifyReply, path: string) => FastifyReply;

/** Whether an unknown `path` asked by `req` gets the HTML page rather than the JSON 404. */
export function wantsNotFoundPage(req: FastifyRequest, path: string): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (path === '/v1' || path.startsWith('/v1/')) return false;
  const accept = req.headers.accept;
  return typeof accept === 'string' && /(^|[\s,])text\/html\s*(;|,|$)/i.test(accept);
}

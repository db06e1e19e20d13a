/**
 * A route parameter matched by an empty path segment names nothing: `GET /v1/workflows/` was
 * read as `/v1/workflows/:id` with the id `''` and answered 400 (`path.id: ... got ""`), the
 * dashboard's `/workflows/` a 400 page of `getWorkflow`'s arguments, with no word of the slash.
 * Such a request is answered as an unknown path: the 404 that says where the route is without the
 * trailing slash (or the dashboard's 404 page saying so).
 * @module
 */
import type { FastifyInstance } from 'fastify';

/** Whether a named parameter of the matched route is empty (`*`, the rest of a path, may be). */
function hasEmptyParam(params: unknown): boolean {
  if (typeof params !== 'object' || params === null) return false;
  for (const name in params) {
    if (name !== '*' && (params as Record<string, unknown>)[name] === '') return true;
  }
  return false;
}

/**
 * Adds the root hook that sends a request whose route parameter is empty to the 404 handler.
 * Add it after the authentication hook: an unknown `/v1` path wants the token first.
 */
export function answerEmptyParamsAsNotFound(app: FastifyInstance): void {
  // A callback hook, not an async one: every request passes here, and most go on at once.
  app.addHook('onRequest', (req, reply, done) => {
    if (req.is404 || !hasEmptyParam(req.params)) return done();
    // The 404 handler answers; `done` is not called, so the route does not run.
    reply.callNotFound();
  });
}

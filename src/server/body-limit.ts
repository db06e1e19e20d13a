/**
 * The default request body limit, apart from the server, so that `orchestrator serve --help` can
 * show it without loading Fastify.
 * @module
 */

/** Default request body limit: 1 MiB. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

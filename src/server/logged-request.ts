/**
 * What the service logs of a request (fastify's `incoming request` line): method, URL, address,
 * as fastify's own serializer, but with the value of each query parameter whose name looks like a
 * secret (`?access_token=…`, `?api_key=…`, `?password=…`: `secret-names.ts`) masked `***`. A
 * client may send its token in the query (RFC 6750 allows `access_token`), and the line is
 * written at `info` for every request, before the route refuses it. The service logger
 * (`createServerLogger`) has it as its `req` serializer, and `buildApp` puts it on each request's
 * logger ({@link maskingChildLogger}), so an app given a pino logger of its own masks too.
 * @module
 */
import type { FastifyServerOptions } from 'fastify';
import { maskQueryValues } from '../redact-url.js';
import { isSecretName } from '../secret-names.js';

/** The parts of a request {@link loggedRequest} reads (a fastify request). */
interface RequestLike {
  method?: string;
  url?: string;
  headers?: Record<string, unknown>;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** A request as the log shows it (see the module). */
export function loggedRequest(req: RequestLike): Record<string, unknown> {
  return {
    method: req.method,
    url: typeof req.url === 'string' ? maskQueryValues(req.url, isSecretName) : req.url,
    version: req.headers?.['accept-version'],
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

/**
 * Fastify's `childLoggerFactory` for an app: each request's logger as fastify makes it, with
 * {@link loggedRequest} as its `req` serializer whatever the app's logger had.
 */
export const maskingChildLogger: NonNullable<FastifyServerOptions['childLoggerFactory']> = (
  logger,
  bindings,
  opts,
) => logger.child(bindings, { ...opts, serializers: { ...opts.serializers, req: loggedRequest } });

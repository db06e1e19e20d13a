/**
 * The HTTP error contract: one envelope, `{ "error": { "code", "message" } }`, and one table
 * from error code to status. Engine errors keep their own code and message; framework errors
 * (bad JSON, oversize body, wrong media type) get ours; anything else is a 500 with a generic
 * message, so no stack trace or internal detail ever reaches a client.
 * @module
 */
import { OrchestratorError } from '../errors.js';

/** The one table: error code → HTTP status. Codes not listed answer 500 `INTERNAL`. */
export const STATUS_BY_CODE: Readonly<Record<string, number>> = Object.freeze({
  VALIDATION: 400,
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  WORKFLOW_NOT_FOUND: 404,
  EXECUTION_NOT_FOUND: 404,
  CONFLICT: 409,
  // A request that did not arrive within the request timeout (answered before routing).
  REQUEST_TIMEOUT: 408,
  PAYLOAD_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  // Request headers over Node's size limit (answered before routing).
  HEADERS_TOO_LARGE: 431,
  // The store cannot do what was asked (a custom store that predates cursors, given `before`).
  UNSUPPORTED: 501,
  CLOSED: 503,
  // Every worker was removed from the balancer (cluster: no node left): try again once one is back.
  NO_WORKERS: 503,
  STORE_UNAVAILABLE: 503,
  INTERNAL: 500,
});

/** The body of every error response. */
export interface ErrorEnvelope {
  error: { code: string; message: string };
}

/** Fastify's own error codes, translated to ours, with the message a client sees. */
const FRAMEWORK_ERRORS: Readonly<Record<string, { code: string; message: (limit: number) => string }>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: 'PAYLOAD_TOO_LARGE',
    message: (limit) => `Request body is larger than the limit of ${limit} bytes`,
  },
  // The framework's parser raises this one error for both; it keeps no cause to tell them apart.
  FST_ERR_CTP_INVALID_JSON_BODY: {
    code: 'VALIDATION',
    message: () =>
      'Request body is not valid JSON, or has a "__proto__" or "constructor": {"prototype": …} key (refused)',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'VALIDATION', message: () => 'Request body is empty' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: () => 'Request body must be JSON (Content-Type: application/json)',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'BAD_REQUEST',
    message: () => 'Content-Length does not match the request body',
  },
  FST_ERR_NOT_FOUND: { code: 'NOT_FOUND', message: () => 'Route not found' },
  FST_ERR_BAD_URL: { code: 'BAD_REQUEST', message: () => 'Request URL is malformed (bad percent-encoding)' },
  FST_ERR_MAX_PARAM_LENGTH: {
    code: 'URI_TOO_LONG',
    message: () => 'A path parameter of the request URL is too long',
  },
};

/** An error with a code the table maps, raised by the HTTP layer itself. */
export class HttpError extends OrchestratorError {}

/** A request without a valid bearer token. */
export class UnauthorizedError extends HttpError {
  constructor() {
    super('UNAUTHORIZED', 'Missing or invalid bearer token (send "Authorization: Bearer <token>")');
  }
}

/** Status of a code: the table's entry, else 500. */
export function statusOf(code: string): number {
  return Object.hasOwn(STATUS_BY_CODE, code) ? (STATUS_BY_CODE[code] as number) : 500;
}

/** Options of {@link toErrorReply}. */
export interface ErrorReplyOptions {
  /** The body limit in bytes, named in 413 messages. */
  bodyLimit: number;
}

/** Status and envelope of any thrown value. */
export function toErrorReply(
  error: unknown,
  options: ErrorReplyOptions,
): { status: number; body: ErrorEnvelope } {
  let code = 'INTERNAL';
  let message = 'Internal server error';
  if (error instanceof OrchestratorError) {
    code = error.code;
    message = error.message;
  } else {
    const fastifyCode = (error as { code?: unknown } | null)?.code;
    const known = typeof fastifyCode === 'string' ? FRAMEWORK_ERRORS[fastifyCode] : undefined;
    const status = (error as { statusCode?: unknown } | null)?.statusCode;
    if (known && Object.hasOwn(FRAMEWORK_ERRORS, fastifyCode as string)) {
      code = known.code;
      message = known.message(options.bodyLimit);
    } else if (typeof status === 'number' && status >= 400 && status < 500) {
      // Another client error raised by the framework: its message is about the request, not our internals.
      code = 'BAD_REQUEST';
      message = error instanceof Error ? error.message : 'Bad request';
    }
  }
  const status = statusOf(code);
  if (status === 500)
    return { status, body: { error: { code: 'INTERNAL', message: 'Internal server error' } } };
  // An outage, not a bug: a client may try again later. What failed (a file path, a server's
  // address) goes to the log, not to the client.
  if (code === 'STORE_UNAVAILABLE') {
    return { status, body: { error: { code, message: 'The store is unavailable; try again later' } } };
  }
  return { status, body: { error: { code, message } } };
}
